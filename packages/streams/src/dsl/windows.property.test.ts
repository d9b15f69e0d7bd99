// Property: for any arrival order of timestamps, hopping-window counts through the topology
// equal a brute-force model of Kafka's rule (a record counts in a window iff, on arrival,
// windowEnd > max timestamp so far - grace), and every other window membership is a counted drop.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { StreamsBuilder, Serdes, TimeWindows, WindowedSerdes } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()

test('property: windowed counts match a brute-force model of grace and late records', () => {
  const record = fc.record({ key: fc.constantFrom('a', 'b'), timestamp: fc.integer({ min: 0, max: 200 }) })
  fc.assert(fc.property(fc.array(record, { maxLength: 30 }), fc.constantFrom(0, 5, 20), fc.constantFrom(10, 5), (records, graceMs, advanceMs) => {
    const windows = TimeWindows.ofSizeAndGrace(10, graceMs).advanceBy(advanceMs)
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(windows).count().toStream().to('out')
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('in', S, S)
    const expected: string[] = []
    const counts = new Map<string, number>()
    let streamTimeMs = -1
    let drops = 0
    for (const { key, timestamp } of records) {
      input.pipeInput(key, 'v', timestamp)
      streamTimeMs = Math.max(streamTimeMs, timestamp)
      for (let start = 0; start <= timestamp; start += advanceMs) {
        if (timestamp >= start + 10) continue
        if (start + 10 <= streamTimeMs - graceMs) {
          drops++
          continue
        }
        const id = `${key}@${start}`
        counts.set(id, (counts.get(id) ?? 0) + 1)
        expected.push(`${id}=${counts.get(id)}`)
      }
    }
    const actual = driver.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), Serdes.Long()).readKeyValuesToList().map((kv) => `${kv.key!.key}@${kv.key!.window.startMs}=${kv.value}`)
    assert.deepEqual(actual, expected)
    assert.equal(driver.droppedRecords()['expired-window'] ?? 0, drops)
  }), { numRuns: 150 })
})

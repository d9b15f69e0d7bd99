// Windowed aggregations against scenarios from Kafka's own processor tests (inputs and expected
// outputs), to pin our semantics to Kafka Streams': hopping windows with grace, out-of-order
// records, and session emit-on-window-close.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, TimeWindows, SessionWindows, EmitStrategy, WindowedSerdes } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()

test('hopping windows (size 10, advance 5, grace 100): every update, out-of-order ones included', () => {
  for (const emitFinal of [false, true]) {
    const builder = new StreamsBuilder()
    const windowed = builder.stream<string, string>('topic1', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
    ;(emitFinal ? windowed.emitStrategy(EmitStrategy.onWindowClose()) : windowed).aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, { valueSerde: S }).toStream().to('out')
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('topic1', S, S)
    const inputs: Array<[string, string, number]> = [
      ['A', '1', 0], ['B', '2', 1], ['C', '3', 2], ['D', '4', 3], ['A', '1', 4], ['A', '1', 5], ['B', '2', 6], ['D', '4', 7], ['B', '2', 8], ['C', '3', 9],
      ['A', '1', 10], ['B', '2', 11], ['D', '4', 12], ['B', '2', 13], ['C', '3', 14], ['B', '1', 3], ['B', '2', 2], ['B', '3', 9],
    ]
    for (const [key, value, timestamp] of inputs) input.pipeInput(key, value, timestamp)
    const out = driver.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), S).readRecordsToList().map((r) => `${r.key!.key}@${r.key!.window.startMs}=${r.value}@${r.timestamp}`)
    if (emitFinal) {
      assert.deepEqual(out, [], 'grace is 100: no window closes')
      continue
    }
    assert.deepEqual(out, [
      'A@0=0+1@0', 'B@0=0+2@1', 'C@0=0+3@2', 'D@0=0+4@3', 'A@0=0+1+1@4', 'A@0=0+1+1+1@5', 'A@5=0+1@5',
      'B@0=0+2+2@6', 'B@5=0+2@6', 'D@0=0+4+4@7', 'D@5=0+4@7', 'B@0=0+2+2+2@8', 'B@5=0+2+2@8', 'C@0=0+3+3@9', 'C@5=0+3@9',
      'A@5=0+1+1@10', 'A@10=0+1@10', 'B@5=0+2+2+2@11', 'B@10=0+2@11', 'D@5=0+4+4@12', 'D@10=0+4@12',
      'B@5=0+2+2+2+2@13', 'B@10=0+2+2@13', 'C@5=0+3+3@14', 'C@10=0+3@14',
      'B@0=0+2+2+2+1@8', 'B@0=0+2+2+2+1+2@8', 'B@0=0+2+2+2+1+2+3@9', 'B@5=0+2+2+2+2+3@13',
    ])
  }
})

test('sessions (gap 5 min), emit on window close: each key\'s closed sessions once', () => {
  const gapMs = 5 * 60_000
  const builder = new StreamsBuilder()
  builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(gapMs)).emitStrategy(EmitStrategy.onWindowClose())
    .count().toStream().to('out')
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  const input = driver.createInputTopic('in', S, S)
  const inputs: Array<[string, number]> = [['a', 0], ['b', 0], ['c', 0], ['d', 0], ['d', gapMs / 2], ['a', gapMs + 1], ['b', gapMs + 1], ['a', gapMs + 1 + gapMs / 2], ['c', gapMs + 1 + gapMs / 2]]
  for (const [key, timestamp] of inputs) input.pipeInput(key, '1', timestamp)
  const out = driver.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), Serdes.Long()).readRecordsToList()
  assert.deepEqual(out.map((r) => [r.key!.key, r.key!.window.startMs, r.key!.window.endMs, r.value, r.timestamp]), [
    ['a', 0, 0, 1, 0], ['b', 0, 0, 1, 0], ['c', 0, 0, 1, 0], ['d', 0, gapMs / 2, 2, gapMs / 2],
  ])
})

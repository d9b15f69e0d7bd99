// suppress() against scenarios of Kafka's suppression tests: final results for time and session
// windows (raw and suppressed outputs side by side) and a time limit on a table aggregation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, TimeWindows, SessionWindows, Suppressed, type KTable, type Windowed } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()
const L = Serdes.Long()

function windowedOutputs(counts: KTable<Windowed<string>, number>): void {
  counts.suppress(Suppressed.untilWindowCloses()).toStream().map((key, value) => ({ key: key.toString(), value })).to('output-suppressed', { keySerde: S, valueSerde: L })
  counts.toStream().map((key, value) => ({ key: key.toString(), value })).to('output-raw', { keySerde: S, valueSerde: L })
}

function drain(driver: TopologyTestDriver, topic: string): string[] {
  return driver.createOutputTopic(topic, S, L).readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`)
}

test('final results for time windows (size 2, grace 1); a record past grace is dropped everywhere', () => {
  const builder = new StreamsBuilder()
  windowedOutputs(builder.stream<string, string>('input', { keySerde: S, valueSerde: S }).groupBy((k) => k, { keySerde: S, valueSerde: S }).windowedBy(TimeWindows.ofSizeAndGrace(2, 1)).count({ storeName: 'counts' }))
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  const input = driver.createInputTopic('input', S, S)
  for (const timestamp of [0, 1, 2, 1, 0, 5, 0]) input.pipeInput('k1', 'v1', timestamp)
  assert.deepEqual(drain(driver, 'output-raw'), ['[k1@0/2]=1@0', '[k1@0/2]=2@1', '[k1@2/4]=1@2', '[k1@0/2]=3@1', '[k1@0/2]=4@1', '[k1@4/6]=1@5'])
  assert.deepEqual(drain(driver, 'output-suppressed'), ['[k1@0/2]=4@1', '[k1@2/4]=1@2'])
})

test('final results for session windows (gap 5): merges retract, late records are dropped', () => {
  const builder = new StreamsBuilder()
  windowedOutputs(builder.stream<string, string>('input', { keySerde: S, valueSerde: S }).groupBy((k) => k, { keySerde: S, valueSerde: S }).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count({ storeName: 'counts' }))
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  const input = driver.createInputTopic('input', S, S)
  for (const [key, timestamp] of [['k1', 0], ['k1', 5], ['k1', 1], ['k2', 11], ['k1', 5], ['k1', 30]] as const) input.pipeInput(key, 'v1', timestamp)
  assert.deepEqual(drain(driver, 'output-raw'), ['[k1@0/0]=1@0', '[k1@0/0]=null@0', '[k1@0/5]=2@5', '[k1@0/5]=null@5', '[k1@0/5]=3@5', '[k2@11/11]=1@11', '[k1@30/30]=1@30'])
  assert.deepEqual(drain(driver, 'output-suppressed'), ['[k1@0/5]=3@5', '[k2@11/11]=1@11'])
})

test('untilTimeLimit on a table aggregation: emitted once stream time passes first update + limit', () => {
  const builder = new StreamsBuilder()
  const counts = builder.table<string, string>('input', { keySerde: S, valueSerde: S }, { loggingEnabled: false })
    .groupBy((k, v) => ({ key: v, value: k }), { keySerde: S, valueSerde: S })
    .count()
  counts.suppress(Suppressed.untilTimeLimit(2)).toStream().to('output-suppressed', { keySerde: S, valueSerde: L })
  counts.toStream().to('output-raw', { keySerde: S, valueSerde: L })
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  const input = driver.createInputTopic('input', S, S)
  input.pipeInput('k1', 'v1', 0)
  input.pipeInput('k1', 'v2', 1)
  input.pipeInput('k2', 'v1', 2)
  assert.deepEqual(drain(driver, 'output-raw'), ['v1=1@0', 'v1=0@1', 'v2=1@1', 'v1=1@2'])
  assert.deepEqual(drain(driver, 'output-suppressed'), ['v1=1@2'])
  input.pipeInput('tick', 'tick', 3)
  assert.deepEqual(drain(driver, 'output-raw'), ['tick=1@3'])
  assert.deepEqual(drain(driver, 'output-suppressed'), ['v2=1@1'])
  input.pipeInput('tick', 'tock', 4)
  assert.deepEqual(drain(driver, 'output-raw'), ['tick=0@4', 'tock=1@4'])
  assert.deepEqual(drain(driver, 'output-suppressed'), [], 'tick keeps its place from time 3')
})

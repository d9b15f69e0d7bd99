// The driver itself: bounded output queues, unknown topics, reading semantics, wall clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes } from '../index.ts'
import { TopologyTestDriver } from './topology-test-driver.ts'
import { CapturingLogger } from './capturing-logger.ts'

const S = Serdes.String()

function passThrough(): StreamsBuilder {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).to('out')
  return builder
}

test('an output queue past maxQueuedRecordsPerTopic fails fast until it is read', () => {
  const driver = new TopologyTestDriver(passThrough().build(), { maxQueuedRecordsPerTopic: 2, logger: new CapturingLogger() })
  const input = driver.createInputTopic('in', S, S)
  input.pipeInput('k', '1', 1)
  input.pipeInput('k', '2', 2)
  assert.throws(() => input.pipeInput('k', '3', 3), { code: 'STREAMS_BUFFER_FULL' })
  const output = driver.createOutputTopic('out', S, S)
  assert.equal(output.getQueueSize(), 2)
  assert.deepEqual(output.readValuesToList(), ['1', '2'])
  input.pipeInput('k', '4', 4)
  assert.deepEqual(output.readKeyValuesToMap(), new Map([['k', '4']]))
  assert.throws(() => output.readRecord(), /is empty/)
})

test('piping to a topic the topology does not read is an error', () => {
  const driver = new TopologyTestDriver(passThrough().build(), { logger: new CapturingLogger() })
  assert.throws(() => driver.createInputTopic('nope', S, S), { code: 'STREAMS_UNKNOWN_TOPIC' })
})

test('input topics stamp records with topic time, advancing automatically when asked', () => {
  const driver = new TopologyTestDriver(passThrough().build(), { initialWallClockTimeMs: 1000, logger: new CapturingLogger() })
  const input = driver.createInputTopic('in', S, S, { autoAdvanceMs: 10 })
  input.pipeInput('k', 'a')
  input.pipeValue('b')
  input.advanceTime(100)
  input.pipeKeyValueList([{ key: 'x', value: 'c' }])
  const records = driver.createOutputTopic('out', S, S).readRecordsToList()
  assert.deepEqual(records.map((r) => [r.key, r.value, r.timestamp]), [['k', 'a', 1000], [null, 'b', 1010], ['x', 'c', 1120]])
})

test('store queries name the store kind', () => {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts' })
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  assert.throws(() => driver.getWindowStore('counts'), /is a keyValue store, not a window store/)
  assert.throws(() => driver.getKeyValueStore('missing'), { code: 'STREAMS_UNKNOWN_STORE' })
})

test('a topology writing to its own input is stopped by the bound instead of looping forever', () => {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('loop', { keySerde: S, valueSerde: S }).to('loop')
  const driver = new TopologyTestDriver(builder.build(), { maxQueuedRecordsPerTopic: 100, captureInternalTopics: false, logger: new CapturingLogger() })
  assert.throws(() => driver.createInputTopic('loop', S, S).pipeInput('k', 'v', 1), { code: 'STREAMS_BUFFER_FULL' })
})

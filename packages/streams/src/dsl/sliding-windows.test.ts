// Sliding-window aggregation against the scenarios of Kafka's KStreamSlidingWindowAggregate
// tests (inputs and expected results per window start, as sets of value@timestamp), for emit on
// update and emit on window close, including "early" records (timestamp < time difference).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, SlidingWindows, EmitStrategy, WindowedSerdes } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()

function run(windows: SlidingWindows, emitFinal: boolean, inputs: Array<[string, number]>): Record<number, string[]> {
  const builder = new StreamsBuilder()
  const windowed = builder.stream<string, string>('topic', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(windows)
  ;(emitFinal ? windowed.emitStrategy(EmitStrategy.onWindowClose()) : windowed)
    .aggregate(() => '0', (_key, value, aggregate) => `${aggregate}+${value}`, { valueSerde: S })
    .toStream().to('out')
  const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
  const input = driver.createInputTopic('topic', S, S)
  for (const [value, timestamp] of inputs) input.pipeInput('A', value, timestamp)
  const byStart: Record<number, string[]> = {}
  for (const record of driver.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, windows.timeDifferenceMs), S).readRecordsToList()) {
    const start = record.key!.window.startMs
    byStart[start] = [...new Set([...(byStart[start] ?? []), `${record.value}@${record.timestamp}`])].sort()
  }
  return byStart
}

const sorted = (expected: Record<number, string[]>): Record<number, string[]> => Object.fromEntries(Object.entries(expected).map(([start, values]) => [start, [...values].sort()]))

const smallInput: Array<[string, number]> = [['1', 10], ['2', 10], ['3', 14], ['4', 15], ['5', 20], ['6', 22], ['7', 30]]

test('small input, emit on update', () => {
  assert.deepEqual(run(SlidingWindows.ofTimeDifferenceAndGrace(10, 5), false, smallInput), sorted({
    0: ['0+1@10', '0+1+2@10'],
    4: ['0+1+2+3@14'],
    5: ['0+1+2+3+4@15'],
    10: ['0+1+2+3+4+5@20'],
    11: ['0+3@14', '0+3+4@15', '0+3+4+5@20'],
    12: ['0+3+4+5+6@22'],
    15: ['0+4@15', '0+4+5@20', '0+4+5+6@22'],
    16: ['0+5@20', '0+5+6@22'],
    20: ['0+5+6+7@30'],
    21: ['0+6@22', '0+6+7@30'],
    23: ['0+7@30'],
  }))
})

test('small input, emit on window close', () => {
  assert.deepEqual(run(SlidingWindows.ofTimeDifferenceAndGrace(10, 5), true, smallInput), sorted({
    0: ['0+1+2@10'],
    4: ['0+1+2+3@14'],
    5: ['0+1+2+3+4@15'],
    10: ['0+1+2+3+4+5@20'],
    11: ['0+3+4+5@20'],
    12: ['0+3+4+5+6@22'],
  }))
})

const earlyInput: Array<[string, number]> = [['1', 0], ['2', 5], ['3', 6], ['4', 3], ['5', 13], ['6', 10], ['7', 70]]

test('early records, emit on update', () => {
  assert.deepEqual(run(SlidingWindows.ofTimeDifferenceAndGrace(50, 0), false, earlyInput), sorted({
    0: ['0+1@0', '0+1+2@5', '0+1+2+3@6', '0+1+2+3+4@6', '0+1+2+3+4+5@13', '0+1+2+3+4+5+6@13'],
    1: ['0+2@5', '0+2+3@6', '0+2+3+4@6', '0+2+3+4+5@13', '0+2+3+4+5+6@13'],
    4: ['0+2+3@6', '0+2+3+5@13', '0+2+3+5+6@13'],
    6: ['0+3@6', '0+3+5@13', '0+3+5+6@13'],
    7: ['0+5@13', '0+5+6@13'],
    11: ['0+5@13'],
    20: ['0+7@70'],
  }))
})

test('early records, emit on window close', () => {
  assert.deepEqual(run(SlidingWindows.ofTimeDifferenceAndGrace(50, 0), true, earlyInput), sorted({
    0: ['0+1+2+3+4+5+6@13'],
    1: ['0+2+3+4+5+6@13'],
    4: ['0+2+3+5+6@13'],
    6: ['0+3+5+6@13'],
    7: ['0+5+6@13'],
    11: ['0+5@13'],
  }))
})

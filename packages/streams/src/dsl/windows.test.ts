// Windowed aggregation semantics worked out from Kafka Streams' documented behaviour: epoch-
// aligned tumbling/hopping windows, grace and late records, sliding windows, session merging,
// suppression and emit-on-window-close. Rows are [key@start/end, value, timestamp].
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, TimeWindows, SlidingWindows, SessionWindows, Suppressed, EmitStrategy, WindowedSerdes, type Windowed, type KTable } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()
const L = Serdes.Long()

function rows(driver: TopologyTestDriver, topic: string, windowed = WindowedSerdes.timeWindowedSerdeFrom(S, 10)) {
  return driver.createOutputTopic(topic, windowed, L).readRecordsToList().map((r) => [`${r.key!.key}@${r.key!.window.startMs}/${r.key!.window.endMs}`, r.value, r.timestamp])
}

function countTopology(build: (table: ReturnType<typeof grouped>) => KTable<Windowed<string>, number>) {
  const builder = new StreamsBuilder()
  build(grouped(builder)).toStream().to('out')
  return new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
}

function grouped(builder: StreamsBuilder) {
  return builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey()
}

function pipe(driver: TopologyTestDriver, ...timestamps: number[]): void {
  const input = driver.createInputTopic('in', S, S)
  for (const timestamp of timestamps) input.pipeInput('k', 'v', timestamp)
}

describe('time windows', () => {
  test('tumbling with grace: out-of-order records update open windows, late ones are dropped and counted', () => {
    const driver = countTopology((g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ storeName: 'counts' }))
    pipe(driver, 1, 12, 8, 16, 9)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 1, 1], ['k@10/20', 1, 12], ['k@0/10', 2, 8], ['k@10/20', 2, 16]])
    assert.deepEqual(driver.droppedRecords(), { 'expired-window': 1 })
    assert.deepEqual(driver.getWindowStore<string, number>('counts').fetch('k', 0, 20), [{ timestamp: 0, value: 2 }, { timestamp: 10, value: 2 }])
  })

  test('no grace: a record is dropped as soon as stream time reaches its window end', () => {
    const driver = countTopology((g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count())
    pipe(driver, 5, 10, 9)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 1, 5], ['k@10/20', 1, 10]])
    assert.equal(driver.droppedRecords()['expired-window'], 1)
  })

  test('hopping windows: a record lands in every epoch-aligned window containing it', () => {
    const driver = countTopology((g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5)).count())
    pipe(driver, 7, 12)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 1, 7], ['k@5/15', 1, 7], ['k@5/15', 2, 12], ['k@10/20', 1, 12]])
  })

  test('suppress(untilWindowCloses) emits each final count once, when window end + grace has passed', () => {
    const driver = countTopology((g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count().suppress(Suppressed.untilWindowCloses()))
    pipe(driver, 1, 12, 8, 14)
    assert.deepEqual(rows(driver, 'out'), [])
    pipe(driver, 16)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 2, 8]])
    pipe(driver, 30)
    assert.deepEqual(rows(driver, 'out'), [['k@10/20', 3, 16]])
  })

  test('emit on window close forwards each window once, after it closes', () => {
    const driver = countTopology((g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowClose()).count())
    pipe(driver, 1, 5)
    assert.deepEqual(rows(driver, 'out'), [])
    pipe(driver, 12)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 2, 5]])
    pipe(driver, 25)
    assert.deepEqual(rows(driver, 'out'), [['k@10/20', 1, 12]])
  })

  test('reduce and aggregate in windows', () => {
    const builder = new StreamsBuilder()
    const windowed = builder.stream<string, number>('in', { keySerde: S, valueSerde: Serdes.Int() }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    windowed.reduce((a, b) => Math.max(a, b)).toStream().to('max', { valueSerde: Serdes.Int() })
    windowed.aggregate(() => [] as number[], (_k, v, list) => [...list, v], { valueSerde: Serdes.Json<number[]>() }).toStream().to('lists')
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('in', S, Serdes.Int())
    input.pipeInput('k', 3, 1)
    input.pipeInput('k', 9, 2)
    input.pipeInput('k', 4, 3)
    const windowedSerde = WindowedSerdes.timeWindowedSerdeFrom(S, 10)
    assert.deepEqual(driver.createOutputTopic('max', windowedSerde, Serdes.Int()).readValuesToList(), [3, 9, 9])
    assert.deepEqual(driver.createOutputTopic('lists', windowedSerde, Serdes.Json<number[]>()).readValuesToList(), [[3], [3, 9], [3, 9, 4]])
  })
})

describe('sliding windows', () => {
  test('left and right windows are created only when they hold records', () => {
    const driver = countTopology((g) => g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count())
    pipe(driver, 10, 15)
    assert.deepEqual(rows(driver, 'out'), [['k@0/10', 1, 10], ['k@11/21', 1, 15], ['k@5/15', 2, 15]])
    // The record at 12 updates [5,15] and [11,21] and creates its right window [13,23]; its left
    // window [2,12] already ended before stream time 15 (no grace), so that part is dropped.
    pipe(driver, 12)
    assert.deepEqual(rows(driver, 'out'), [['k@5/15', 3, 15], ['k@11/21', 2, 15], ['k@13/23', 1, 15]])
    assert.equal(driver.droppedRecords()['expired-window'], 1)
  })

  test('with grace the out-of-order record also gets its left window', () => {
    const driver = countTopology((g) => g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count())
    pipe(driver, 10, 15, 12)
    assert.deepEqual(rows(driver, 'out').slice(3), [['k@5/15', 3, 15], ['k@11/21', 2, 15], ['k@2/12', 2, 12], ['k@13/23', 1, 15]])
  })

  test('records beyond grace are dropped', () => {
    const driver = countTopology((g) => g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count())
    pipe(driver, 50, 20)
    assert.deepEqual(rows(driver, 'out'), [['k@40/50', 1, 50]])
    assert.equal(driver.droppedRecords()['expired-window'], 1)
  })
})

describe('session windows', () => {
  const sessionSerde = WindowedSerdes.sessionWindowedSerdeFrom(S)

  test('sessions merge within the gap; merged sessions are retracted with tombstones', () => {
    const driver = countTopology((g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count({ storeName: 'sessions' }))
    pipe(driver, 0, 5, 30, 22, 12)
    assert.deepEqual(rows(driver, 'out', sessionSerde), [
      ['k@0/0', 1, 0],
      ['k@0/0', null, 0], ['k@0/5', 2, 5],
      ['k@30/30', 1, 30],
      ['k@30/30', null, 30], ['k@22/30', 2, 30],
      // [0,5] closed once stream time passed 5 + gap (15): the record at 12 cannot reopen it.
      ['k@22/30', null, 30], ['k@12/30', 3, 30],
    ])
    const sessions = driver.getSessionStore<string, number>('sessions').fetch('k')
    assert.deepEqual(sessions.map((s) => [s.key.window.startMs, s.key.window.endMs, s.value]), [[12, 30, 3]])
  })

  test('a record whose session would end before streamTime - gap - grace is dropped', () => {
    const driver = countTopology((g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count())
    pipe(driver, 100, 50)
    assert.deepEqual(rows(driver, 'out', sessionSerde), [['k@100/100', 1, 100]])
    assert.equal(driver.droppedRecords()['expired-window'], 1)
  })

  test('session reduce and emit on window close', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, number>('in', { keySerde: S, valueSerde: Serdes.Int() }).groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowClose())
      .reduce((a, b) => a + b).toStream().to('out', { valueSerde: Serdes.Int() })
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('in', S, Serdes.Int())
    input.pipeInput('k', 1, 0)
    input.pipeInput('k', 2, 4)
    input.pipeInput('k', 5, 14)
    const read = () => driver.createOutputTopic('out', sessionSerde, Serdes.Int()).readRecordsToList().map((r) => [r.key!.window.startMs, r.key!.window.endMs, r.value])
    assert.deepEqual(read(), [])
    input.pipeInput('k', 1, 40)
    assert.deepEqual(read(), [[0, 14, 8]])
  })
})

// Operators not covered elsewhere: suppress(untilTimeLimit) and bounded buffers, table
// aggregate with adder/subtractor, session aggregate with a merger, inner GlobalKTable join,
// KTable#toStream with a key mapper, Processor API global stores, and multi-sub-topology describe().
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, Suppressed, BufferConfig, SessionWindows, WindowedSerdes, Topology, Stores, type ProcessorContext, type KeyValueStore } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()
const L = Serdes.Long()

function driverFor(builder: StreamsBuilder | Topology): TopologyTestDriver {
  return new TopologyTestDriver(builder instanceof Topology ? builder : builder.build(), { logger: new CapturingLogger() })
}

describe('suppress', () => {
  test('untilTimeLimit emits the latest value of a key once the limit passed since its first update', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count().suppress(Suppressed.untilTimeLimit(10)).toStream().to('out')
    const driver = driverFor(builder)
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('k', 'v', 0)
    input.pipeInput('k', 'v', 5)
    input.pipeInput('j', 'v', 8)
    assert.deepEqual(driver.createOutputTopic('out', S, L).readRecordsToList(), [])
    input.pipeInput('k', 'v', 10)
    assert.deepEqual(driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]), [['k', 3, 10]])
    input.pipeInput('x', 'v', 18)
    assert.deepEqual(driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]), [['j', 1, 8]])
  })

  test('a full buffer emits early or fails, as configured', () => {
    for (const whenFull of ['emitEarly', 'shutDown'] as const) {
      const builder = new StreamsBuilder()
      builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count()
        .suppress(Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(2, whenFull))).toStream().to('out')
      const driver = driverFor(builder)
      const input = driver.createInputTopic('in', S, S)
      input.pipeInput('a', 'v', 1)
      input.pipeInput('b', 'v', 2)
      if (whenFull === 'shutDown') {
        assert.throws(() => input.pipeInput('c', 'v', 3), { code: 'STREAMS_BUFFER_FULL' })
      } else {
        input.pipeInput('c', 'v', 3)
        assert.deepEqual(driver.createOutputTopic('out', S, L).readKeyValuesToList(), [{ key: 'a', value: 1 }])
      }
    }
  })
})

describe('more aggregations and joins', () => {
  test('KGroupedTable.aggregate with adder and subtractor', () => {
    const builder = new StreamsBuilder()
    builder.table<string, number>('scores', { keySerde: S, valueSerde: Serdes.Int() })
      .groupBy((player, score) => ({ key: player.split(':')[0], value: score }), { keySerde: S, valueSerde: Serdes.Int() })
      .aggregate(() => ({ total: 0, entries: 0 }), (_team, score, agg) => ({ total: agg.total + score, entries: agg.entries + 1 }), (_team, score, agg) => ({ total: agg.total - score, entries: agg.entries - 1 }), { valueSerde: Serdes.Json<{ total: number; entries: number }>() })
      .toStream().to('teams')
    const driver = driverFor(builder)
    const input = driver.createInputTopic('scores', S, Serdes.Int())
    input.pipeInput('red:ann', 3, 1)
    input.pipeInput('red:bob', 4, 2)
    input.pipeInput('red:ann', 10, 3)
    input.pipeInput('red:bob', null, 4)
    assert.deepEqual(driver.createOutputTopic('teams', S, Serdes.Json()).readValuesToList(), [
      { total: 3, entries: 1 }, { total: 7, entries: 2 }, { total: 14, entries: 2 }, { total: 10, entries: 1 },
    ])
  })

  test('session aggregate uses the merger when sessions merge', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 20))
      .aggregate(() => '', (_k, v, agg) => agg + v, (_k, left, right) => `(${left}|${right})`, { valueSerde: S })
      .toStream().to('out')
    const driver = driverFor(builder)
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('k', 'a', 0)
    input.pipeInput('k', 'b', 20)
    input.pipeInput('k', 'c', 10)
    const values = driver.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), S).readValuesToList()
    assert.deepEqual(values, ['a', 'b', null, null, '((|a)|b)c'])
  })

  test('inner GlobalKTable join drops records without a match; toStream(keyMapper) re-keys', () => {
    const builder = new StreamsBuilder()
    const names = builder.globalTable<string, string>('names', { keySerde: S, valueSerde: S })
    builder.stream<string, string>('ids', { keySerde: S, valueSerde: S }).join(names, (_k, id) => id, (id, name) => `${id}=${name}`).to('joined', { valueSerde: S })
    builder.table<string, string>('t', { keySerde: S, valueSerde: S }).toStream((key, value) => `${key}:${value}`).to('rekeyed', { keySerde: S, valueSerde: S })
    const driver = driverFor(builder)
    driver.createInputTopic('names', S, S).pipeInput('1', 'one', 0)
    const ids = driver.createInputTopic('ids', S, S)
    ids.pipeInput('a', '1', 1)
    ids.pipeInput('b', '2', 2)
    driver.createInputTopic('t', S, S).pipeInput('k', 'v', 3)
    assert.deepEqual(driver.createOutputTopic('joined', S, S).readKeyValuesToList(), [{ key: 'a', value: '1=one' }])
    assert.deepEqual(driver.createOutputTopic('rekeyed', S, S).readKeyValuesToList(), [{ key: 'k:v', value: 'v' }])
  })
})

describe('Topology API', () => {
  test('a global store maintained by a processor is readable from every task', () => {
    const topology = new Topology()
    topology.addGlobalStore(Stores.keyValueStoreBuilder('rates', S, Serdes.Double()).withLoggingDisabled(), 'rates-source', 'rates', { keySerde: S, valueSerde: Serdes.Double() }, 'rates-updater', () => {
      let store: KeyValueStore<string, number>
      return { init: (context) => void (store = context.getStateStore('rates')), process: (record) => store.put(record.key as string, record.value as number) }
    })
    topology.addSource('prices', ['prices'], { keySerde: S, valueSerde: Serdes.Double() })
    topology.addProcessor('convert', () => {
      let context: ProcessorContext<string, number>
      let rates: KeyValueStore<string, number>
      return {
        init(processorContext) {
          context = processorContext
          rates = context.getStateStore('rates')
        },
        process: (record) => context.forward(record.withValue((record.value as number) * (rates.get('EUR') ?? Number.NaN)) as never),
      }
    }, 'prices')
    topology.connectProcessorAndStateStores(['convert', 'rates'])
    topology.addSink('out', 'prices-eur', { keySerde: S, valueSerde: Serdes.Double() }, 'convert')
    const driver = driverFor(topology)
    driver.createInputTopic('rates', S, Serdes.Double()).pipeInput('EUR', 0.5, 0)
    driver.createInputTopic('prices', S, Serdes.Double()).pipeInput('apple', 4, 1)
    assert.deepEqual(driver.createOutputTopic('prices-eur', S, Serdes.Double()).readValuesToList(), [2])
    assert.match(topology.describe().toString(), /Sub-topology: 1 for global store \(will not generate tasks\)\n    Source: rates-source \(topics: \[rates\]\)/)
  })

  test('describe() splits sub-topologies at a repartition topic', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v).groupByKey({ name: 'by-value' }).count({ storeName: 'counts' })
    const description = builder.build().describe()
    assert.deepEqual(description.subtopologies.map((s) => [s.sourceTopics, s.sinkTopics, s.stores]), [
      [['in'], ['by-value-repartition'], []],
      [['by-value-repartition'], [], ['counts']],
    ])
    assert.match(description.toString(), /Sink: by-value-repartition-sink \(topic: by-value-repartition\)/)
    assert.throws(() => builder.stream('in'), { code: 'STREAMS_TOPOLOGY_INVALID' })
  })
})

// Grouping and aggregation semantics: stream aggregations, repartitioning groupBy, and table
// aggregations with adder/subtractor, with timestamps as Kafka Streams assigns them.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()
const L = Serdes.Long()

function run(builder: StreamsBuilder, applicationId = 'app'): TopologyTestDriver {
  return new TopologyTestDriver(builder.build(), { applicationId, logger: new CapturingLogger() })
}

describe('stream aggregations', () => {
  test('groupByKey().count() emits every update with the max timestamp so far', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts' }).toStream().to('out')
    const driver = run(builder)
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 10)
    input.pipeInput('b', 'x', 5)
    input.pipeInput('a', 'y', 7)
    const out = driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    assert.deepEqual(out, [['a', 1, 10], ['b', 1, 5], ['a', 2, 10]])
    assert.equal(driver.getKeyValueStore<string, number>('counts').get('a'), 2)
  })

  test('reduce and aggregate; null keys and values are dropped and counted', () => {
    const builder = new StreamsBuilder()
    const grouped = builder.stream<string, number>('in', { keySerde: S, valueSerde: Serdes.Int() }).groupByKey()
    grouped.reduce((sum, value) => sum + value).toStream().to('sum', { valueSerde: Serdes.Int() })
    grouped.aggregate(() => '', (_key, value, acc) => `${acc}${value}`, { valueSerde: S }).toStream().to('concat')
    const driver = run(builder)
    const input = driver.createInputTopic('in', S, Serdes.Int())
    input.pipeInput('k', 1, 1)
    input.pipeInput(null, 5, 2)
    input.pipeInput('k', null, 3)
    input.pipeInput('k', 2, 4)
    assert.deepEqual(driver.createOutputTopic('sum', S, Serdes.Int()).readValuesToList(), [1, 3])
    assert.deepEqual(driver.createOutputTopic('concat', S, S).readValuesToList(), ['1', '12'])
    assert.deepEqual(driver.droppedRecords(), { 'null-key': 2, 'null-value': 2 })
  })

  test('groupBy repartitions through <applicationId>-<name>-repartition', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('sentences', { keySerde: S, valueSerde: S })
      .flatMapValues((value) => value.split(' '))
      .groupBy((_key, word) => word, { name: 'words', keySerde: S, valueSerde: S })
      .count()
      .toStream()
      .to('word-counts')
    const topology = builder.build()
    assert.equal(topology.subtopologies().length, 2)
    const driver = run(builder)
    const input = driver.createInputTopic('sentences', S, S)
    input.pipeInput('s1', 'a b a', 1)
    input.pipeInput('s2', 'b', 2)
    assert.ok(driver.producedTopicNames().has('app-words-repartition'))
    assert.deepEqual(driver.createOutputTopic('word-counts', S, L).readKeyValuesToList(), [
      { key: 'a', value: 1 }, { key: 'b', value: 1 }, { key: 'a', value: 2 }, { key: 'b', value: 2 },
    ])
  })
})

describe('table aggregations', () => {
  test('KTable.groupBy().count() subtracts the old group and adds the new one', () => {
    const builder = new StreamsBuilder()
    builder.table<string, string>('user-regions', { keySerde: S, valueSerde: S })
      .groupBy((_user, region) => ({ key: region, value: region }), { keySerde: S, valueSerde: S })
      .count({ storeName: 'region-counts' })
      .toStream()
      .to('region-counts')
    const driver = run(builder)
    const input = driver.createInputTopic('user-regions', S, S)
    input.pipeInput('u1', 'EU', 1)
    input.pipeInput('u2', 'EU', 2)
    input.pipeInput('u1', 'US', 3)
    input.pipeInput('u2', null, 4)
    input.pipeInput('u1', 'US', 5)
    const out = driver.createOutputTopic('region-counts', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    assert.deepEqual(out, [
      ['EU', 1, 1], ['EU', 2, 2],
      ['EU', 1, 3], ['US', 1, 3],
      ['EU', 0, 4],
      ['US', 1, 5],
    ])
    assert.equal(driver.getKeyValueStore<string, number>('region-counts').get('US'), 1)
  })

  test('KTable.groupBy().reduce(adder, subtractor) keeps a running sum per group', () => {
    const builder = new StreamsBuilder()
    builder.table<string, number>('balances', { keySerde: S, valueSerde: Serdes.Int() })
      .groupBy((account, balance) => ({ key: account.split('-')[0], value: balance }), { keySerde: S, valueSerde: Serdes.Int() })
      .reduce((sum, value) => sum + value, (sum, value) => sum - value)
      .toStream()
      .to('totals', { valueSerde: Serdes.Int() })
    const driver = run(builder)
    const input = driver.createInputTopic('balances', S, Serdes.Int())
    input.pipeInput('alice-1', 10, 1)
    input.pipeInput('alice-2', 5, 2)
    input.pipeInput('alice-1', 7, 3)
    assert.deepEqual(driver.createOutputTopic('totals', S, Serdes.Int()).readValuesToList(), [10, 15, 12])
  })

  test('table filter and mapValues forward tombstones for filtered-out values', () => {
    const builder = new StreamsBuilder()
    builder.table<string, number>('t', { keySerde: S, valueSerde: Serdes.Int() })
      .filter((_key, value) => value > 0, { storeName: 'positive' })
      .mapValues((value) => value * 10)
      .toStream()
      .to('out', { valueSerde: Serdes.Int() })
    const driver = run(builder)
    const input = driver.createInputTopic('t', S, Serdes.Int())
    input.pipeInput('a', 1, 1)
    input.pipeInput('a', -1, 2)
    assert.deepEqual(driver.createOutputTopic('out', S, Serdes.Int()).readValuesToList(), [10, null])
    assert.equal(driver.getKeyValueStore<string, number>('positive').get('a'), null)
  })
})

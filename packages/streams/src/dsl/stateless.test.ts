// Stateless operators through the TopologyTestDriver: serialized at the edges, timestamps and
// headers carried through, branching, merging, repartitioning and per-record topics.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, StreamRecord, type ProcessorContext } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()

function driverFor(builder: StreamsBuilder): TopologyTestDriver {
  return new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
}

describe('stateless operators', () => {
  test('filter, filterNot, mapValues, map, selectKey keep the input timestamp', () => {
    const builder = new StreamsBuilder()
    const input = builder.stream<string, string>('in', { keySerde: S, valueSerde: S })
    input.filter((_key, value) => value.startsWith('a')).mapValues((value) => value.toUpperCase()).to('upper', { valueSerde: S })
    input.filterNot((_key, value) => value.startsWith('a')).map((key, value) => ({ key: value, value: key })).to('swapped', { keySerde: S, valueSerde: S })
    input.selectKey((_key, value) => value.length).to('by-length', { keySerde: Serdes.Int() })
    const driver = driverFor(builder)
    const topic = driver.createInputTopic('in', S, S)
    topic.pipeInput('k1', 'apple', 10)
    topic.pipeInput('k2', 'pear', 20)
    assert.deepEqual(driver.createOutputTopic('upper', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]), [['k1', 'APPLE', 10]])
    assert.deepEqual(driver.createOutputTopic('swapped', S, S).readKeyValuesToList(), [{ key: 'pear', value: 'k2' }])
    assert.deepEqual(driver.createOutputTopic('by-length', Serdes.Int(), S).readKeyValuesToList(), [{ key: 5, value: 'apple' }, { key: 4, value: 'pear' }])
  })

  test('flatMap and flatMapValues fan out; peek and foreach see every record', () => {
    const builder = new StreamsBuilder()
    const seen: string[] = []
    const input = builder.stream<string, string>('in', { keySerde: S, valueSerde: S })
    input.flatMapValues((value) => value.split(' ')).peek((key, value) => seen.push(`${key}=${value}`)).to('words', { valueSerde: S })
    input.flatMap((key, value) => [...value].map((char) => ({ key: char, value: key }))).to('chars', { keySerde: S, valueSerde: S })
    const counted: string[] = []
    input.foreach((key) => counted.push(key))
    const driver = driverFor(builder)
    driver.createInputTopic('in', S, S).pipeInput('k', 'a b', 5)
    assert.deepEqual(driver.createOutputTopic('words', S, S).readValuesToList(), ['a', 'b'])
    assert.deepEqual(driver.createOutputTopic('chars', S, S).readKeyValuesToList().map((kv) => kv.key), ['a', ' ', 'b'])
    assert.deepEqual(seen, ['k=a', 'k=b'])
    assert.deepEqual(counted, ['k'])
  })

  test('split sends each record to the first matching branch, defaultBranch gets the rest', () => {
    const builder = new StreamsBuilder()
    const branches = builder.stream<string, number>('numbers', { keySerde: S, valueSerde: Serdes.Int() })
      .split({ name: 'sign-' })
      .branch((_key, value) => value < 0, { name: 'negative' })
      .branch((_key, value) => value === 0, { name: 'zero', chain: (stream) => stream.mapValues(() => 100) })
      .defaultBranch({ name: 'positive' })
    assert.deepEqual([...branches.keys()], ['sign-negative', 'sign-zero', 'sign-positive'])
    for (const [name, stream] of branches) stream.to(name, { valueSerde: Serdes.Int() })
    const driver = driverFor(builder)
    const input = driver.createInputTopic('numbers', S, Serdes.Int())
    for (const value of [-1, 0, 5, -7]) input.pipeInput('k', value, 1)
    const read = (topic: string) => driver.createOutputTopic(topic, S, Serdes.Int()).readValuesToList()
    assert.deepEqual(read('sign-negative'), [-1, -7])
    assert.deepEqual(read('sign-zero'), [100])
    assert.deepEqual(read('sign-positive'), [5])
  })

  test('legacy branch() returns one stream per predicate', () => {
    const builder = new StreamsBuilder()
    const [even, odd] = builder.stream<string, number>('numbers', { keySerde: S, valueSerde: Serdes.Int() }).branch((_k, v) => v % 2 === 0, () => true)
    even.to('even')
    odd.to('odd')
    const driver = driverFor(builder)
    const input = driver.createInputTopic('numbers', S, Serdes.Int())
    for (const value of [1, 2, 3]) input.pipeInput('k', value, 1)
    assert.deepEqual(driver.createOutputTopic('even', S, Serdes.Int()).readValuesToList(), [2])
    assert.deepEqual(driver.createOutputTopic('odd', S, Serdes.Int()).readValuesToList(), [1, 3])
  })

  test('merge interleaves two streams in processing order', () => {
    const builder = new StreamsBuilder()
    const a = builder.stream<string, string>('a', { keySerde: S, valueSerde: S })
    const b = builder.stream<string, string>('b', { keySerde: S, valueSerde: S })
    a.merge(b).to('merged')
    const driver = driverFor(builder)
    driver.createInputTopic('a', S, S).pipeInput('k', 'a1', 1)
    driver.createInputTopic('b', S, S).pipeInput('k', 'b1', 2)
    driver.createInputTopic('a', S, S).pipeInput('k', 'a2', 3)
    assert.deepEqual(driver.createOutputTopic('merged', S, S).readValuesToList(), ['a1', 'b1', 'a2'])
  })

  test('repartition writes through an internal topic named <applicationId>-<name>-repartition', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v).repartition({ name: 'by-value', keySerde: S }).to('out')
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app', logger: new CapturingLogger() })
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 7)
    assert.ok(driver.producedTopicNames().has('app-by-value-repartition'))
    assert.deepEqual(driver.createOutputTopic('app-by-value-repartition', S, S).readKeyValuesToList(), [{ key: 'v', value: 'v' }])
    assert.deepEqual(driver.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]), [['v', 'v', 7]])
  })

  test('to() with a topic extractor routes each record; headers pass through', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).to((key) => `out-${key}`)
    const driver = driverFor(builder)
    const header = { key: 'trace', value: new TextEncoder().encode('42') }
    driver.createInputTopic('in', S, S).pipeInput('x', 'v1', 1, [header])
    driver.createInputTopic('in', S, S).pipeInput('y', 'v2', 2)
    const [record] = driver.createOutputTopic('out-x', S, S).readRecordsToList()
    assert.equal(record.value, 'v1')
    assert.deepEqual(record.headers, [header])
    assert.deepEqual(driver.createOutputTopic('out-y', S, S).readValuesToList(), ['v2'])
  })

  test('a TimestampExtractor sets event time from the value', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, { at: number }>('events', { keySerde: S, valueSerde: Serdes.Json(), timestampExtractor: (record) => (record.value as { at: number }).at }).to('out')
    const driver = driverFor(builder)
    driver.createInputTopic('events', S, Serdes.Json<{ at: number }>()).pipeInput('k', { at: 12345 }, 1)
    assert.equal(driver.createOutputTopic('out', S, Serdes.Json()).readRecord().timestamp, 12345)
  })

  test('a missing serde is a clear error naming the node', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).mapValues((value) => value.length).to('out')
    const driver = driverFor(builder)
    assert.throws(() => driver.createInputTopic('in', S, S).pipeInput('k', 'abc', 1), { code: 'STREAMS_MISSING_SERDE', message: /KSTREAM-SINK-0000000002 has no value serde|node 'KSTREAM-SINK-0000000002' has no value serde/ })
    const withDefaults = new TopologyTestDriver(builder.build(), { defaultValueSerde: Serdes.Int(), logger: new CapturingLogger() })
    withDefaults.createInputTopic('in', S, S).pipeInput('k', 'abc', 1)
    assert.deepEqual(withDefaults.createOutputTopic('out', S, Serdes.Int()).readValuesToList(), [3])
  })

  test('toStream, toTable: a stream read as a table emits upserts and tombstones', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).toTable({ storeName: 'latest' }).toStream().to('out')
    const driver = driverFor(builder)
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('a', '1', 1)
    input.pipeInput('a', '2', 2)
    input.pipeInput('a', null, 3)
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [{ key: 'a', value: '1' }, { key: 'a', value: '2' }, { key: 'a', value: null }])
    assert.equal(driver.getKeyValueStore<string, string>('latest').get('a'), null)
  })

  test('a processor forwarding to a named child reaches only that child', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).process<string, string>(() => {
      let context: ProcessorContext<string, string>
      return {
        init: (c) => void (context = c),
        process: (record) => context.forward(new StreamRecord(record.key, `${record.value}!`, record.timestamp)),
      }
    }).to('out', { keySerde: S, valueSerde: S })
    const driver = driverFor(builder)
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 3)
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['v!'])
  })
})

// The Processor API: init/process/close, state store access, stream-time and wall-clock
// punctuation, record metadata, and the per-topology error policies.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Topology, Serdes, StreamRecord, PunctuationType, Stores, StreamsBuilder, DeadLetterHeader, type KeyValueStore, type ProcessorContext, type Processor } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()
const L = Serdes.Long()

/** Counts per key in a store; every 10 ms of stream time forwards all counts. */
function countingTopology(events: string[]): Topology {
  const topology = new Topology()
  topology.addSource('source', ['in'], { keySerde: S, valueSerde: S })
  topology.addProcessor('counter', (): Processor<string, string, string, number> => {
    let context: ProcessorContext<string, number>
    let store: KeyValueStore<string, number>
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore('counts')
        events.push('init')
        context.schedule(10, PunctuationType.StreamTime, (timestampMs) => {
          events.push(`stream-time@${timestampMs}`)
          for (const { key, value } of store.all()) context.forward(new StreamRecord(key, value, timestampMs))
        })
        context.schedule(1000, PunctuationType.WallClockTime, (timestampMs) => events.push(`wall-clock@${timestampMs}`))
      },
      process(record) {
        const metadata = context.recordMetadata()
        events.push(`process ${record.key} from ${metadata?.topic}@${metadata?.offset}`)
        store.put(record.key, (store.get(record.key) ?? 0) + 1)
      },
      close() {
        events.push('close')
      },
    }
  }, 'source')
  topology.addStateStore(Stores.keyValueStoreBuilder('counts', S, L), 'counter')
  topology.addSink('sink', 'out', { keySerde: S, valueSerde: L }, 'counter')
  return topology
}

describe('Processor API', () => {
  test('stream-time punctuation fires on the first record, then once per interval crossed', () => {
    const events: string[] = []
    const driver = new TopologyTestDriver(countingTopology(events), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 3)
    input.pipeInput('a', 'x', 9)
    input.pipeInput('b', 'x', 14)
    input.pipeInput('b', 'x', 45)
    assert.deepEqual(events, [
      'init',
      'process a from in@0', 'stream-time@3',
      'process a from in@1',
      'process b from in@2', 'stream-time@14',
      'process b from in@3', 'stream-time@45',
    ])
    const out = driver.createOutputTopic('out', S, L).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    assert.deepEqual(out, [['a', 1, 3], ['a', 2, 14], ['b', 1, 14], ['a', 2, 45], ['b', 2, 45]])
    driver.close()
    assert.equal(events.at(-1), 'close')
  })

  test('wall-clock punctuation follows the driver clock, not record time', () => {
    const events: string[] = []
    const driver = new TopologyTestDriver(countingTopology(events), { initialWallClockTimeMs: 5000, logger: new CapturingLogger() })
    driver.advanceWallClockTime(999)
    assert.deepEqual(events, ['init'])
    driver.advanceWallClockTime(1)
    driver.advanceWallClockTime(2500)
    assert.deepEqual(events, ['init', 'wall-clock@6000', 'wall-clock@8500'])
  })

  test('DSL process() with a store added to the builder: deduplicate by key', () => {
    const builder = new StreamsBuilder()
    builder.addStateStore(Stores.keyValueStoreBuilder('seen', S, S))
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).process<string, string>(() => {
      let context: ProcessorContext<string, string>
      let seen: KeyValueStore<string, string>
      return {
        init(processorContext) {
          context = processorContext
          seen = context.getStateStore('seen')
        },
        process(record) {
          if (seen.putIfAbsent(record.key, '') === null) context.forward(record)
        },
      }
    }, 'seen').to('unique', { keySerde: S, valueSerde: S })
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const input = driver.createInputTopic('in', S, S)
    for (const key of ['a', 'b', 'a', 'c', 'b']) input.pipeInput(key, `${key}!`, 1)
    assert.deepEqual(driver.createOutputTopic('unique', S, S).readValuesToList(), ['a!', 'b!', 'c!'])
    assert.deepEqual(driver.changelogTopics().get('seen'), 'test-application-seen-changelog')
  })

  test('a processor may only use stores connected to it', () => {
    const builder = new StreamsBuilder()
    builder.addStateStore(Stores.keyValueStoreBuilder('lonely', S, S))
    builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).process(() => {
      let context: ProcessorContext<never, never>
      return { init: (c) => void (context = c), process: () => void context.getStateStore('lonely') }
    })
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    assert.throws(() => driver.createInputTopic('in', S, S).pipeInput('k', 'v', 1), { code: 'STREAMS_UNKNOWN_STORE' })
  })

  test('describe() prints sub-topologies, sources, processors with stores, and sinks', () => {
    const text = countingTopology([]).describe().toString()
    assert.equal(text, [
      'Topologies:',
      '   Sub-topology: 0',
      '    Source: source (topics: [in])',
      '      --> counter',
      '    Processor: counter (stores: [counts])',
      '      --> sink',
      '      <-- source',
      '    Sink: sink (topic: out)',
      '      <-- counter',
      '',
    ].join('\n'))
  })
})

describe('error policies', () => {
  function topology() {
    const builder = new StreamsBuilder()
    builder.stream<string, { n: number }>('in', { keySerde: S, valueSerde: Serdes.Json() })
      .mapValues((value) => {
        if (value.n < 0) throw new RangeError('negative n')
        return value.n * 2
      })
      .to('out', { valueSerde: Serdes.Int() })
    return builder.build()
  }
  const bytes = (text: string) => new TextEncoder().encode(text)

  test('fail (default): a bad record stops processing with a typed error', () => {
    const driver = new TopologyTestDriver(topology(), { logger: new CapturingLogger() })
    const raw = driver.createInputTopic('in', S, Serdes.Bytes())
    assert.throws(() => raw.pipeInput('k', bytes('{not json'), 1), { code: 'STREAMS_DESERIALIZATION_FAILED' })
    const input = driver.createInputTopic('in', S, Serdes.Json<{ n: number }>())
    assert.throws(() => input.pipeInput('k', { n: -1 }, 2), (error: any) => error.code === 'STREAMS_PROCESSING_FAILED' && error.cause instanceof RangeError)
  })

  test('logAndContinue: bad records are logged and counted, good ones flow', () => {
    const logger = new CapturingLogger()
    const driver = new TopologyTestDriver(topology(), { logger, deserializationErrorPolicy: 'logAndContinue', processingErrorPolicy: 'logAndContinue' })
    driver.createInputTopic('in', S, Serdes.Bytes()).pipeInput('k', bytes('{not json'), 1)
    const input = driver.createInputTopic('in', S, Serdes.Json<{ n: number }>())
    input.pipeInput('k', { n: -1 }, 2)
    input.pipeInput('k', { n: 4 }, 3)
    assert.deepEqual(driver.createOutputTopic('out', S, Serdes.Int()).readValuesToList(), [8])
    assert.deepEqual(driver.droppedRecords(), { 'deserialization-error': 1, 'processing-error': 1 })
    assert.equal(logger.lines.length, 2)
    assert.match(logger.lines[1], /negative n/)
  })

  test('dead letter: the raw input record goes to a topic with the reason in headers', () => {
    const policy = { deadLetterTopic: 'in-dlq' }
    const driver = new TopologyTestDriver(topology(), { logger: new CapturingLogger(), deserializationErrorPolicy: policy, processingErrorPolicy: policy })
    driver.createInputTopic('in', S, Serdes.Bytes()).pipeInput('k1', bytes('{not json'), 1)
    driver.createInputTopic('in', S, Serdes.Json<{ n: number }>()).pipeInput('k2', { n: -1 }, 2)
    const dead = driver.createOutputTopic('in-dlq', S, Serdes.Bytes()).readRecordsToList()
    const header = (record: (typeof dead)[number], key: string) => new TextDecoder().decode(record.headers.find((h) => h.key === key)!.value!)
    assert.deepEqual(dead.map((r) => [r.key, new TextDecoder().decode(r.value!), r.timestamp]), [['k1', '{not json', 1], ['k2', '{"n":-1}', 2]])
    assert.equal(header(dead[0], DeadLetterHeader.Exception), 'SyntaxError')
    assert.equal(header(dead[1], DeadLetterHeader.Message), 'negative n')
    assert.equal(header(dead[1], DeadLetterHeader.Topic), 'in')
    assert.equal(header(dead[1], DeadLetterHeader.Offset), '1')
  })
})

describe('production error policy (sink serialization failures)', () => {
  // A value serde that refuses one value, as a schema-checking serde would.
  const picky = {
    serialize: (_topic: string, value: string | null) => {
      if (value === 'poison') throw new TypeError('value "poison" does not match the output schema')
      return value === null ? null : new TextEncoder().encode(value)
    },
    deserialize: (_topic: string, bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes)),
  }
  const topology = () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('words', { keySerde: S, valueSerde: S }).mapValues((value) => value.toLowerCase()).to('out', { keySerde: S, valueSerde: picky })
    return builder.build()
  }
  const pipe = (driver: TopologyTestDriver) => {
    const input = driver.createInputTopic('words', S, S)
    input.pipeInput('a', 'Fine', 1)
    input.pipeInput('b', 'POISON', 2)
    input.pipeInput('c', 'Also fine', 3)
  }

  test("'fail' (the default) stops with the sink topic, the input coordinates and the cause", () => {
    const driver = new TopologyTestDriver(topology())
    const input = driver.createInputTopic('words', S, S)
    input.pipeInput('a', 'Fine', 1)
    assert.throws(() => input.pipeInput('b', 'POISON', 2), (error: unknown) => error instanceof Error && (error as { code?: string }).code === 'STREAMS_SERIALIZATION_FAILED' && /topic 'out'.*input topic=words partition=0 offset=1.*does not match the output schema/.test(error.message))
  })

  test("'logAndContinue' drops the record, counts it, and goes on", () => {
    const logger = new CapturingLogger()
    const driver = new TopologyTestDriver(topology(), { logger, productionErrorPolicy: 'logAndContinue', processingErrorPolicy: 'fail' })
    pipe(driver)
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['fine', 'also fine'])
    assert.equal(driver.droppedRecords()['production-error'], 1)
    assert.ok(logger.lines.some((line) => /does not match the output schema/.test(line)))
  })

  test('a dead-letter topic receives the input record with the reason in headers', () => {
    const driver = new TopologyTestDriver(topology(), { logger: new CapturingLogger(), productionErrorPolicy: { deadLetterTopic: 'words-dlq' } })
    pipe(driver)
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['fine', 'also fine'])
    const dead = driver.createOutputTopic('words-dlq', S, S).readRecordsToList()
    assert.deepEqual(dead.map((record) => [record.key, record.value, record.timestamp]), [['b', 'POISON', 2]])
    const header = (key: string) => new TextDecoder().decode(dead[0].headers.find((h) => h.key === key)!.value!)
    assert.deepEqual([header(DeadLetterHeader.Exception), header(DeadLetterHeader.Topic), header(DeadLetterHeader.Offset)], ['TypeError', 'words', '1'])
  })
})

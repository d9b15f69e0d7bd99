// The record cache seen from a running topology, with the Kafka runtime's store wiring (no
// stateDir: in-memory stores logged with their serdes): a small driver commits only when told,
// as KafkaStreams does every commitIntervalMs, where the TopologyTestDriver commits after every
// record. Covered: dedup of results and changelog records between commits, flush on commit,
// read-your-writes, old values for subtractors across commits, emit-on-window-close and
// suppress on top of cached stores, and exactly-once rollback (the cache is dropped with the
// uncommitted work, nothing committed is lost or repeated).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { ProducerRecord } from '@tributary/client'
import { EmitStrategy, Serdes, SessionWindows, StreamsBuilder, Suppressed, TimeWindows, type KTable, type Windowed } from '../index.ts'
import type { Topology } from '../topology/topology.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'
import { taskStoreBuilders, applyChangelogRecord } from '../kafka/task-stores.ts'
import { ThreadCache } from '../state/caching/thread-cache.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../state/windowed.ts'
import type { SerializedRecord } from './record.ts'
import { StreamTask } from './stream-task.ts'

const S = Serdes.String()
const L = Serdes.Long()
const applicationId = 'cache-app'
const encoder = new TextEncoder()

/**
 * Runs every sub-topology as one task (partition 0) over the runtime's logged in-memory stores
 * and one thread cache; records written to topics the topology reads are processed next.
 * Output (sink and changelog records) waits in `uncommitted` until `commit()`, which flushes
 * the caches first, exactly as ActiveTasks.prepareCommit; `abort()` drops it, closes the tasks
 * dirty and rebuilds their stores from the committed changelog, as exactly-once recovery does.
 */
class CommittingDriver {
  readonly committed: ProducerRecord[] = []
  private uncommitted: ProducerRecord[] = []
  private tasks: StreamTask[] = []
  private readonly byTopic = new Map<string, StreamTask>()
  private readonly topology: Topology
  private readonly cacheMaxBytes: number
  private readonly pending: SerializedRecord[] = []
  private readonly offsets = new Map<string, number>()
  /** Input records in order, and how many of them the last commit covered. */
  readonly input: SerializedRecord[] = []
  private committedInput = 0
  private processedInput = 0

  constructor(topology: Topology, cacheMaxBytes: number) {
    this.topology = topology
    this.cacheMaxBytes = cacheMaxBytes
    this.createTasks()
  }

  pipe(topic: string, key: string, value: string, timestamp: number): void {
    this.input.push(this.stamp(topic, encoder.encode(key), encoder.encode(value), timestamp))
    this.processInput()
  }

  /** Flushes every task; records the flush writes to repartition topics are processed and flushed in the same commit. */
  commit(): void {
    do {
      for (const task of this.tasks) task.commit()
    } while (this.drain())
    this.committed.push(...this.uncommitted)
    this.uncommitted = []
    this.committedInput = this.processedInput
  }

  /** Exactly-once rollback: uncommitted output is discarded, stores are rebuilt from the committed changelog, input is re-read from the committed position. */
  abort(): void {
    this.uncommitted = []
    for (const task of this.tasks) task.close()
    this.createTasks()
    for (const task of this.tasks) {
      for (const registration of task.storeRegistrations()) {
        for (const record of this.committed) {
          if (record.topic !== registration.changelogTopic || record.key === null || record.key === undefined) continue
          applyChangelogRecord(registration.store, { offset: 0n, key: record.key ?? null, value: record.value ?? null, timestamp: 0n })
        }
      }
    }
    this.processedInput = this.committedInput
    this.processInput()
  }

  store<S>(name: string): S {
    for (const task of this.tasks) {
      const store = task.store(name)
      if (store !== undefined) return store as S
    }
    throw new Error(`no store ${name}`)
  }

  outputs(topic: string, uncommittedToo = false): ProducerRecord[] {
    return [...this.committed, ...(uncommittedToo ? this.uncommitted : [])].filter((record) => record.topic === topic)
  }

  private processInput(): void {
    for (; this.processedInput < this.input.length; this.processedInput++) {
      this.pending.push(this.input[this.processedInput])
      this.drain()
    }
  }

  private createTasks(): void {
    const output = { push: (...records: ProducerRecord[]) => this.collect(records) } as unknown as ProducerRecord[]
    const stores = taskStoreBuilders(this.topology.stores(), { mode: 'in-memory', output, systemTimeMs: () => 0, directoryFor: () => { throw new Error('no stateDir') } })
    const runtimeTopology = Object.create(this.topology, { stores: { value: () => stores } }) as Topology
    const config = { applicationId, deserializationErrorPolicy: 'fail', processingErrorPolicy: 'fail', logger: new CapturingLogger(), systemTimeMs: () => 0 } as const
    const cache = this.cacheMaxBytes > 0 ? new ThreadCache(this.cacheMaxBytes) : null
    const collector = { send: (topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number) => this.collect([{ topic, key, value, timestamp }]) }
    this.tasks = this.topology.subtopologies().map((subtopology) => new StreamTask({ topology: runtimeTopology, subtopology, partition: 0, config, collector, globalStores: new Map(), cache }))
    this.byTopic.clear()
    for (const task of this.tasks) for (const topic of task.sourceTopics()) this.byTopic.set(topic, task)
  }

  private collect(records: ProducerRecord[]): void {
    for (const record of records) {
      this.uncommitted.push(record)
      if (this.byTopic.has(record.topic) && record.partition === undefined) this.pending.push(this.stamp(record.topic, record.key ?? null, record.value ?? null, Number(record.timestamp ?? 0)))
    }
  }

  /** Processes pending records; true when there were any. */
  private drain(): boolean {
    const any = this.pending.length > 0
    while (this.pending.length > 0) {
      const record = this.pending.shift()!
      const task = this.byTopic.get(record.topic)!
      task.process(record)
      task.punctuateStreamTime()
    }
    return any
  }

  private stamp(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number): SerializedRecord {
    const offset = this.offsets.get(topic) ?? 0
    this.offsets.set(topic, offset + 1)
    return { topic, partition: 0, offset, key, value, timestamp, headers: [] }
  }
}

const decode = (record: ProducerRecord, valueSerde = L): string => `${S.deserialize('t', record.key ?? null)}=${valueSerde.deserialize('t', record.value ?? null)}`
const int64 = (value: number): Uint8Array => L.serialize('t', value)!

/** Pipes `events` ('x' values, stream time moving by `advance` from `startMs`), committing where they say and at the end. */
function replay(topology: Topology, events: readonly { key: string; advance: number; commit: boolean }[], cacheMaxBytes: number, startMs: number): CommittingDriver {
  const driver = new CommittingDriver(topology, cacheMaxBytes)
  let time = startMs
  for (const { key, advance, commit } of events) {
    time = Math.max(0, time + advance)
    driver.pipe('events', key, 'x', time)
    if (commit) driver.commit()
  }
  driver.commit()
  return driver
}

function wordCounts(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts' }).toStream().to('counts-out', { keySerde: S, valueSerde: L })
  return builder.build()
}

describe('record cache in a committing runtime', () => {
  test('between commits: nothing is forwarded or logged, reads see the newest value; the commit writes one record per key', () => {
    const driver = new CommittingDriver(wordCounts(), 1 << 20)
    for (const [key, timestamp] of [['alice', 1], ['bob', 2], ['alice', 3], ['alice', 4], ['bob', 5]] as const) driver.pipe('clicks', key, 'x', timestamp)
    assert.deepEqual(driver.outputs('counts-out', true), [])
    assert.deepEqual(driver.outputs(`${applicationId}-counts-changelog`, true), [])
    const counts = driver.store<KeyValueStore<string, ValueAndTimestamp<number>>>('counts')
    assert.deepEqual(counts.get('alice'), { value: 3, timestamp: 4 }, 'read-your-writes through the cache')
    driver.commit()
    assert.deepEqual(driver.outputs('counts-out').map((record) => `${decode(record)}@${record.timestamp}`), ['alice=3@4', 'bob=2@5'])
    // The changelog carries Kafka's layout (serde bytes: [timestamp int64][count int64]), one record per key.
    const changelog = driver.outputs(`${applicationId}-counts-changelog`)
    assert.deepEqual(changelog.map((record) => S.deserialize('t', record.key ?? null)), ['alice', 'bob'])
    assert.deepEqual(changelog.map((record) => [...(record.value ?? [])]), [[...int64(4), ...int64(3)], [...int64(5), ...int64(2)]])
    driver.pipe('clicks', 'alice', 'x', 6)
    driver.commit()
    assert.deepEqual(driver.outputs('counts-out').map((record) => decode(record)).slice(2), ['alice=4'])
  })

  test('with cacheMaxBytes 0 every update is forwarded and logged at once, as before caching', () => {
    const driver = new CommittingDriver(wordCounts(), 0)
    for (const key of ['alice', 'alice', 'bob']) driver.pipe('clicks', key, 'x', 1)
    assert.deepEqual(driver.outputs('counts-out', true).map((record) => decode(record)), ['alice=1', 'alice=2', 'bob=1'])
    assert.equal(driver.outputs(`${applicationId}-counts-changelog`, true).length, 3)
  })

  test('Materialized cachingEnabled: false keeps one store uncached in a cached runtime', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts', cachingEnabled: false }).toStream().to('counts-out', { keySerde: S, valueSerde: L })
    const driver = new CommittingDriver(builder.build(), 1 << 20)
    driver.pipe('clicks', 'alice', 'x', 1)
    driver.pipe('clicks', 'alice', 'x', 2)
    assert.deepEqual(driver.outputs('counts-out', true).map((record) => decode(record)), ['alice=1', 'alice=2'])
  })

  test('property: table aggregations with subtractors stay exact when updates are deduplicated between commits (old values come from the store)', () => {
    // users → region table; count users per region; then sum those counts into one total. The
    // total is right only if every change carries the value the downstream aggregate last saw.
    const builder = new StreamsBuilder()
    const perRegion = builder.table<string, string>('users', { keySerde: S, valueSerde: S }).groupBy((user, region) => ({ key: region, value: user }), { keySerde: S, valueSerde: S }).count({ storeName: 'per-region' })
    perRegion.groupBy((_region, count) => ({ key: 'total', value: count }), { keySerde: S, valueSerde: L })
      .aggregate(() => 0, (_key, count, sum) => sum + count, (_key, count, sum) => sum - count, { storeName: 'total', valueSerde: L })
      .toStream().to('total-out', { keySerde: S, valueSerde: L })
    const topology = builder.build()
    const update = fc.record({ user: fc.constantFrom('u1', 'u2', 'u3', 'u4'), region: fc.constantFrom('eu', 'us', 'asia'), commit: fc.boolean() })
    fc.assert(fc.property(fc.array(update, { minLength: 1, maxLength: 40 }), (updates) => {
      const driver = new CommittingDriver(topology, 1 << 20)
      const regionOf = new Map<string, string>()
      updates.forEach(({ user, region, commit }, index) => {
        driver.pipe('users', user, region, index)
        regionOf.set(user, region)
        if (commit) driver.commit()
      })
      driver.commit()
      const totals = driver.outputs('total-out').map((record) => L.deserialize('t', record.value ?? null))
      assert.equal(totals.at(-1), regionOf.size)
      const perRegionStore = driver.store<KeyValueStore<string, ValueAndTimestamp<number>>>('per-region')
      for (const region of ['eu', 'us', 'asia']) {
        const expected = [...regionOf.values()].filter((value) => value === region).length
        assert.equal(perRegionStore.get(region)?.value ?? 0, expected, region)
      }
    }), { numRuns: 60 })
  })

  test('property: emit on window close and suppress(untilWindowCloses) give the same final results with and without the cache, whatever the commit points', () => {
    const builder = new StreamsBuilder()
    const grouped = builder.stream<string, string>('events', { keySerde: S, valueSerde: S }).groupByKey()
    const toString = (table: KTable<Windowed<string>, number>, topic: string): void => void table.toStream().map((key, value) => ({ key: key.toString(), value })).to(topic, { keySerde: S, valueSerde: L })
    toString(grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 2)).emitStrategy(EmitStrategy.onWindowClose()).count({ storeName: 'final' }), 'final-out')
    const updates = grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 2)).count({ storeName: 'updates' })
    toString(updates.suppress(Suppressed.untilWindowCloses()), 'suppressed-out')
    toString(updates, 'updates-out')
    const topology = builder.build()
    const event = fc.record({ key: fc.constantFrom('a', 'b'), advance: fc.integer({ min: -4, max: 6 }), commit: fc.boolean() })
    fc.assert(fc.property(fc.array(event, { minLength: 1, maxLength: 60 }), (events) => {
      const cached = replay(topology, events, 1 << 20, 20)
      const uncached = replay(topology, events, 0, 20)
      const read = (driver: CommittingDriver, topic: string): string[] => driver.outputs(topic).map((record) => decode(record))
      assert.deepEqual(read(cached, 'final-out'), read(uncached, 'final-out'), 'emit on window close')
      // Each window's final result once; windows closing at the same stream time may come in another key order.
      assert.deepEqual(read(cached, 'suppressed-out').sort(), read(uncached, 'suppressed-out').sort(), 'suppress(untilWindowCloses)')
      // Emit on update: the cache only drops intermediate updates; each window's last value is the same.
      const last = (driver: CommittingDriver): Map<string, string> => new Map(read(driver, 'updates-out').map((line) => [line.split('=')[0], line]))
      assert.deepEqual(last(cached), last(uncached))
      // The cache only leaves out superseded updates: the cached updates are a subsequence of the uncached ones.
      const all = read(uncached, 'updates-out')
      let cursor = 0
      for (const line of read(cached, 'updates-out')) {
        while (cursor < all.length && all[cursor] !== line) cursor++
        assert.ok(cursor++ < all.length, `${line} is not among the uncached updates in that order`)
      }
    }), { numRuns: 300 })
  })

  test('property: session windows read their merges through the cache; outputs are those of the uncached run', () => {
    const builder = new StreamsBuilder()
    const sessions = builder.stream<string, string>('events', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2)).count({ storeName: 'sessions' })
    sessions.toStream().map((key, value) => ({ key: key.toString(), value })).to('sessions-out', { keySerde: S, valueSerde: L })
    sessions.suppress(Suppressed.untilWindowCloses()).toStream().map((key, value) => ({ key: key.toString(), value })).to('sessions-final', { keySerde: S, valueSerde: L })
    const topology = builder.build()
    const event = fc.record({ key: fc.constantFrom('a', 'b'), advance: fc.integer({ min: -3, max: 8 }), commit: fc.boolean() })
    fc.assert(fc.property(fc.array(event, { minLength: 1, maxLength: 50 }), fc.constantFrom(150, 1 << 20), (events, cacheMaxBytes) => {
      const cached = replay(topology, events, cacheMaxBytes, 10)
      const uncached = replay(topology, events, 0, 10)
      const read = (driver: CommittingDriver, topic: string): string[] => driver.outputs(topic).map((record) => decode(record))
      assert.deepEqual(read(cached, 'sessions-out'), read(uncached, 'sessions-out'))
      assert.deepEqual(read(cached, 'sessions-final'), read(uncached, 'sessions-final'))
      // One changelog record per session per commit at most: never more than uncached.
      assert.ok(cached.outputs(`${applicationId}-sessions-changelog`).length <= uncached.outputs(`${applicationId}-sessions-changelog`).length)
    }), { numRuns: 100 })
  })

  test('property: exactly-once aborts drop the cache with the uncommitted work; committed counts per key rise strictly to the true count', () => {
    const topology = wordCounts()
    const step = fc.record({ key: fc.constantFrom('a', 'b', 'c'), action: fc.constantFrom('none', 'none', 'commit', 'abort') })
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 50 }), fc.integer({ min: 200, max: 1 << 20 }), (steps, cacheMaxBytes) => {
      const driver = new CommittingDriver(topology, cacheMaxBytes)
      steps.forEach(({ key, action }, index) => {
        driver.pipe('clicks', key, 'x', index)
        if (action === 'commit') driver.commit()
        if (action === 'abort') driver.abort()
      })
      driver.commit()
      const expected = new Map<string, number>()
      for (const { key } of steps) expected.set(key, (expected.get(key) ?? 0) + 1)
      const committed = new Map<string, number[]>()
      for (const record of driver.outputs('counts-out')) {
        const [key, value] = decode(record).split('=')
        committed.set(key, [...(committed.get(key) ?? []), Number(value)])
      }
      for (const [key, count] of expected) {
        const seen = committed.get(key) ?? []
        assert.equal(seen.at(-1), count, `${key}: the last committed count`)
        assert.ok(seen.every((value, index) => index === 0 || value > seen[index - 1]), `${key}: committed counts ${seen} repeat or go back`)
      }
      // The committed changelog restores the same counts.
      const restored = new Map<string, number>()
      for (const record of driver.outputs(`${applicationId}-counts-changelog`)) restored.set(S.deserialize('t', record.key ?? null)!, Number(new DataView(record.value!.buffer, record.value!.byteOffset + 8, 8).getBigInt64(0)))
      assert.deepEqual(restored, expected)
    }), { numRuns: 80 })
  })
})

test('TopologyTestDriver: a tiny cacheMaxBytes evicts within a record; results and store contents do not change', () => {
  const run = (cacheMaxBytes: number): { out: string[]; store: [string, number][] } => {
    const driver = new TopologyTestDriver(wordCounts(), { applicationId, cacheMaxBytes, logger: new CapturingLogger() })
    const input = driver.createInputTopic('clicks', S, S)
    for (const [index, key] of ['a', 'b', 'a', 'c', 'b', 'a'].entries()) input.pipeInput(key, 'x', index)
    const out = driver.createOutputTopic('counts-out', S, L).readRecordsToList().map((record) => `${record.key}=${record.value}`)
    const store = driver.getKeyValueStore<string, number>('counts').all().map((entry): [string, number] => [entry.key, entry.value])
    driver.close()
    return { out, store }
  }
  const reference = run(0)
  assert.deepEqual(reference.out, ['a=1', 'b=1', 'a=2', 'c=1', 'b=2', 'a=3'])
  assert.deepEqual(run(10 * 1024 * 1024), reference)
  assert.deepEqual(run(150), reference)
})

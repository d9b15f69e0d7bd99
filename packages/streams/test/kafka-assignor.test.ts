// Pure parts of the Kafka runtime: the task assignor (balanced, sticky, standbys apart from
// actives), the topic plan (repartition counts, co-partitioning) and the key partitioner.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KafkaStreamsError, Serdes, StreamsBuilder, murmur2, partitionForKey, placeTasks, planTopics } from '../src/index.ts'

const encoder = new TextEncoder()
const S = Serdes.String()

describe('placeTasks', () => {
  const tasksArbitrary = fc.integer({ min: 0, max: 24 }).map((count) => Array.from({ length: count }, (_, index) => `${index % 3}_${Math.floor(index / 3)}`))
  const clientsArbitrary = fc.integer({ min: 1, max: 6 }).map((count) => Array.from({ length: count }, (_, index) => `member-${index}`))

  test('every task gets exactly one active owner; loads differ by at most one, whatever was owned before', () => {
    fc.assert(fc.property(tasksArbitrary, clientsArbitrary, fc.integer({ min: 0, max: 2 }), fc.array(fc.nat()), (tasks, ids, standbys, history) => {
      const clients = ids.map((id, index) => ({
        id,
        previousActive: new Set(tasks.filter((_, task) => (history[task] ?? 0) % (ids.length + 1) === index)),
        previousStandby: new Set(tasks.filter((_, task) => (history[task + 1] ?? 0) % ids.length === index)),
      }))
      const { active, standby } = placeTasks(tasks, clients, standbys)
      assert.deepEqual([...active.keys()].sort(), [...tasks].sort())
      const loads = ids.map((id) => [...active.values()].filter((owner) => owner === id).length)
      assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `loads ${loads}`)
      for (const [task, holders] of standby) {
        assert.ok(!holders.includes(active.get(task)!), `standby of ${task} on its active owner`)
        assert.equal(new Set(holders).size, holders.length)
        assert.equal(holders.length, Math.min(standbys, ids.length - 1))
      }
    }))
  })

  test('sticky: a rebalance that adds a member moves only what balance requires', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), (taskCount, memberCount) => {
      const tasks = Array.from({ length: taskCount }, (_, index) => `0_${index}`)
      const before = placeTasks(tasks, Array.from({ length: memberCount }, (_, index) => ({ id: `m${index}`, previousActive: new Set<string>(), previousStandby: new Set<string>() })), 0).active
      const clients = Array.from({ length: memberCount + 1 }, (_, index) => ({
        id: `m${index}`,
        previousActive: new Set(tasks.filter((task) => before.get(task) === `m${index}`)),
        previousStandby: new Set<string>(),
      }))
      const after = placeTasks(tasks, clients, 0).active
      const moved = tasks.filter((task) => before.get(task) !== after.get(task)).length
      const newShare = after.size === 0 ? 0 : [...after.values()].filter((owner) => owner === `m${memberCount}`).length
      assert.equal(moved, newShare, 'only tasks given to the new member move')
    }))
  })

  test('a task returns to the member that holds a warm standby', () => {
    const clients = [
      { id: 'a', previousActive: new Set<string>(), previousStandby: new Set<string>() },
      { id: 'b', previousActive: new Set<string>(), previousStandby: new Set(['0_1']) },
    ]
    assert.equal(placeTasks(['0_0', '0_1'], clients, 0).active.get('0_1'), 'b')
  })
})

describe('planTopics', () => {
  test('repartition and changelog topics get the partition count of the upstream sources', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('sentences', { keySerde: S, valueSerde: S })
      .groupBy((_key, word) => word, { name: 'words', keySerde: S, valueSerde: S })
      .count({ storeName: 'counts' })
    const plan = planTopics(builder.build(), 'app', new Map([['sentences', 6]]))
    assert.deepEqual(plan.internalTopics.map(({ topic, partitions, configs }) => [topic, partitions, configs['cleanup.policy']]), [
      ['app-words-repartition', 6, 'delete'],
      ['app-counts-changelog', 6, 'compact'],
    ])
    assert.deepEqual(plan.subtopologies.map((sub) => [sub.sourceTopics, sub.partitions]), [[['sentences'], 6], [['app-words-repartition'], 6]])
  })

  test('joining topics with different partition counts is refused', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<string, string>('profiles', { keySerde: S, valueSerde: S })
    builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S }).join(table, (click, profile) => `${click}/${profile}`).to('out')
    assert.throws(() => planTopics(builder.build(), 'app', new Map([['clicks', 4], ['profiles', 3]])), (error: unknown) => error instanceof KafkaStreamsError && error.code === 'KAFKA_STREAMS_NOT_COPARTITIONED')
    assert.equal(planTopics(builder.build(), 'app', new Map([['clicks', 4], ['profiles', 4]])).subtopologies[0].partitions, 4)
  })
})

describe('murmur2 partitioner', () => {
  test("matches Kafka's published murmur2 values", () => {
    const vectors: [string, number][] = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536], ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]]
    for (const [text, hash] of vectors) assert.equal(murmur2(encoder.encode(text)), hash, text)
    assert.equal(partitionForKey(encoder.encode('foobar'), 7), (-790332482 & 0x7fffffff) % 7)
  })
})

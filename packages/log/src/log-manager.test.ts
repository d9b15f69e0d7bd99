import { describe, test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LogError } from './errors.ts'
import { CLEAN_SHUTDOWN_FILE, openLogManager } from './log-manager.ts'
import type { LogManagerOptions } from './log-manager.ts'
import { ManualClock, makeBatch, recordsOf, temporaryDirectory } from './testing/fixtures.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dataDir(): string {
  const directory = temporaryDirectory()
  cleanups.push(directory.remove)
  return directory.path
}

async function open(dir: string, options: Partial<LogManagerOptions> = {}) {
  const manager = await openLogManager({ dataDir: dir, flushPolicy: 'os', clock: new ManualClock(), ...options })
  cleanups.push(() => manager.close())
  return manager
}

const createTime = { timestampType: 'CreateTime', nowMs: 0 } as const
const isCode = (code: string) => (error: unknown) => error instanceof LogError && error.code === code

describe('LogManager topics', () => {
  test('creates topics with one directory per partition and persists their metadata', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    const created = manager.createTopic('orders', { partitionCount: 3, configs: { 'retention.ms': '1000', 'delete.retention.ms': '5' } })
    assert.match(created.topicId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('orders-')).sort(), ['orders-0', 'orders-1', 'orders-2'])
    manager.partition('orders', 2).append(makeBatch({ count: 4 }), createTime)
    await manager.close()
    assert.ok(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)))

    const reopened = await open(dir)
    assert.ok(!existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), 'the marker is consumed at open')
    assert.deepEqual(reopened.topic('orders'), created)
    assert.equal(reopened.topicConfig('orders').retentionMs, 1000)
    assert.equal(reopened.topicConfig('orders').deleteRetentionMs, 5)
    assert.equal(reopened.partition('orders', 2).logEndOffset, 4n)
    assert.equal(recordsOf(reopened.partition('orders', 2).read(0n, 1 << 20).records).length, 4)
  })

  test('validates names, partition counts, configs and duplicates', async () => {
    const manager = await open(dataDir())
    assert.throws(() => manager.createTopic('bad/name', { partitionCount: 1 }), isCode('LOG_INVALID_TOPIC'))
    assert.throws(() => manager.createTopic('..', { partitionCount: 1 }), isCode('LOG_INVALID_TOPIC'))
    assert.throws(() => manager.createTopic('x'.repeat(250), { partitionCount: 1 }), isCode('LOG_INVALID_TOPIC'))
    assert.throws(() => manager.createTopic('t', { partitionCount: 0 }), isCode('LOG_INVALID_PARTITIONS'))
    assert.throws(() => manager.createTopic('t', { partitionCount: 1, configs: { 'retention.ms': 'soon' } }), isCode('LOG_INVALID_CONFIG'))
    assert.throws(() => manager.createTopic('t', { partitionCount: 1, configs: { 'no.such.config': '1' } }), isCode('LOG_INVALID_CONFIG'))
    assert.equal(manager.listTopics().length, 0)
    manager.createTopic('t', { partitionCount: 1 })
    assert.throws(() => manager.createTopic('t', { partitionCount: 1 }), isCode('LOG_TOPIC_ALREADY_EXISTS'))
    assert.throws(() => manager.partition('t', 1), isCode('LOG_UNKNOWN_TOPIC_OR_PARTITION'))
    assert.throws(() => manager.partition('u', 0), isCode('LOG_UNKNOWN_TOPIC_OR_PARTITION'))
  })

  test('deleting a topic removes its metadata and data, also across a reopen', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    manager.createTopic('a', { partitionCount: 2 })
    manager.createTopic('a-0', { partitionCount: 1 })
    manager.partition('a', 0).append(makeBatch(), createTime)
    manager.deleteTopic('a')
    assert.equal(manager.topic('a'), undefined)
    assert.ok(!existsSync(join(dir, 'a-0')) && !existsSync(join(dir, 'a-1')))
    assert.ok(existsSync(join(dir, 'a-0-0')))
    await manager.close()
    const reopened = await open(dir)
    assert.deepEqual(reopened.listTopics().map((topic) => topic.name), ['a-0'])
    // Recreating the name starts empty, with a new id.
    const again = reopened.createTopic('a', { partitionCount: 1 })
    assert.equal(reopened.partition('a', 0).logEndOffset, 0n)
    assert.ok(again.topicId !== undefined)
  })

  test('directories no topic claims (a crash mid create/delete) are removed at open', async () => {
    const dir = dataDir()
    mkdirSync(join(dir, 'ghost-0'))
    writeFileSync(join(dir, 'ghost-0', '00000000000000000000.log'), 'x')
    const manager = await open(dir)
    manager.createTopic('kept', { partitionCount: 1 })
    assert.ok(!existsSync(join(dir, 'ghost-0')))
    assert.ok(existsSync(join(dir, 'kept-0')))
  })

  test('createPartitions grows a topic and persists the count', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    manager.createTopic('t', { partitionCount: 1 })
    assert.throws(() => manager.createPartitions('t', 1), isCode('LOG_INVALID_PARTITIONS'))
    assert.equal(manager.createPartitions('t', 4).partitionCount, 4)
    manager.partition('t', 3).append(makeBatch(), createTime)
    await manager.close()
    const reopened = await open(dir)
    assert.equal(reopened.topic('t')?.partitionCount, 4)
    assert.equal(reopened.partition('t', 3).logEndOffset, 1n)
  })

  test('setTopicConfigs validates, persists and applies to the partitions', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    manager.createTopic('t', { partitionCount: 2 })
    assert.throws(() => manager.setTopicConfigs('t', { 'cleanup.policy': 'shred' }), isCode('LOG_INVALID_CONFIG'))
    manager.setTopicConfigs('t', { 'max.message.bytes': '100' })
    assert.throws(() => manager.partition('t', 1).append(makeBatch(), createTime), isCode('LOG_RECORD_TOO_LARGE'))
    await manager.close()
    const reopened = await open(dir)
    assert.deepEqual(reopened.topic('t')?.configs, { 'max.message.bytes': '100' })
  })

  test('broker-level defaults sit under topic overrides', async () => {
    const manager = await open(dataDir(), { defaultTopicConfigs: { 'retention.ms': '42', 'segment.bytes': '5000' } })
    manager.createTopic('t', { partitionCount: 1, configs: { 'segment.bytes': '6000' } })
    assert.equal(manager.topicConfig('t').retentionMs, 42)
    assert.equal(manager.topicConfig('t').segmentBytes, 6000)
    const described = new Map(manager.describeTopicConfigs('t').map((entry) => [entry.name, entry]))
    assert.deepEqual(described.get('segment.bytes'), { name: 'segment.bytes', value: '6000', source: 'topic' })
    assert.deepEqual(described.get('retention.ms'), { name: 'retention.ms', value: '42', source: 'broker' })
    assert.deepEqual(described.get('cleanup.policy'), { name: 'cleanup.policy', value: 'delete', source: 'default' })
  })

  test("appends follow the topic's message.timestamp.type unless told otherwise", async () => {
    const manager = await open(dataDir())
    manager.createTopic('t', { partitionCount: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } })
    const log = manager.partition('t', 0)
    assert.equal(log.append(makeBatch({ timestamp: 5 }), { nowMs: 9_000 }).logAppendTimeMs, 9_000)
    assert.equal(log.append(makeBatch({ timestamp: 5 }), { nowMs: 9_000, timestampType: 'CreateTime' }).logAppendTimeMs, -1)
    assert.deepEqual(recordsOf(log.read(0n, 1 << 20).records).map((record) => record.timestampMs), [9_000, 5])
  })

  test('runRetention covers every partition', async () => {
    const manager = await open(dataDir())
    manager.createTopic('t', { partitionCount: 2, configs: { 'segment.bytes': '1000', 'retention.ms': '100' } })
    for (const partition of [0, 1]) for (let i = 0; i < 10; i++) manager.partition('t', partition).append(makeBatch({ count: 2, timestamp: 0 }), createTime)
    const results = manager.runRetention(1_000_000)
    assert.equal(results.length, 2)
    for (const result of results) assert.ok(result.deletedSegments > 0 && result.logStartOffset > 0n)
  })

  test('one data directory opens once per process; a closed manager refuses calls', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    await assert.rejects(openLogManager({ dataDir: dir, clock: new ManualClock() }), isCode('LOG_IO'))
    await manager.close()
    assert.throws(() => manager.createTopic('t', { partitionCount: 1 }), isCode('LOG_CLOSED'))
  })

  test('unreadable topic metadata fails the open with LOG_CORRUPT and leaves the directory usable', async () => {
    const dir = dataDir()
    const manager = await open(dir)
    manager.createTopic('t', { partitionCount: 1 })
    await manager.close()
    writeFileSync(join(dir, 'topics', 't.json'), '{"version": 1, "name": ')
    await assert.rejects(openLogManager({ dataDir: dir, clock: new ManualClock() }), isCode('LOG_CORRUPT'))
    writeFileSync(join(dir, 'topics', 't.json'), JSON.stringify({ version: 1, name: 't', topicId: 'x', partitionCount: 1, configs: {} }))
    const reopened = await open(dir)
    assert.equal(reopened.partition('t', 0).logEndOffset, 0n)
  })

  test('after a crash (no close) the data is recovered without the clean marker', async () => {
    const dir = dataDir()
    const messages: string[] = []
    const manager = await open(dir)
    manager.createTopic('t', { partitionCount: 1 })
    for (let i = 0; i < 5; i++) manager.partition('t', 0).append(makeBatch({ count: 2 }), createTime)
    manager.abandon()
    const reopened = await open(dir, { onRecovery: (message) => messages.push(message) })
    assert.equal(reopened.partition('t', 0).logEndOffset, 10n)
  })
})

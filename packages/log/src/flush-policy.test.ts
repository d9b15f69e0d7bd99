import { describe, test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { openLogManager } from './log-manager.ts'
import type { LogManager } from './log-manager.ts'
import type { FlushPolicy, PartitionLog } from './partition-log.ts'
import { ManualClock, makeBatch, temporaryDirectory } from './testing/fixtures.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function openTopic(flushPolicy: FlushPolicy, configs: Record<string, string> = {}): Promise<{ manager: LogManager; log: PartitionLog; clock: ManualClock; watermarks: bigint[] }> {
  const directory = temporaryDirectory()
  cleanups.push(directory.remove)
  const clock = new ManualClock()
  const watermarks: bigint[] = []
  const manager = await openLogManager({ dataDir: directory.path, flushPolicy, flushIntervalMs: 100, clock, onHighWatermark: (log) => watermarks.push(log.highWatermark) })
  cleanups.push(() => manager.close())
  manager.createTopic('t', { partitionCount: 1, configs })
  return { manager, log: manager.partition('t', 0), clock, watermarks }
}

const createTime = { timestampType: 'CreateTime', nowMs: 0 } as const

describe('flush policy every-batch', () => {
  test('the highWatermark moves only after the fsync; awaitDurable waits for it', async () => {
    const { log, watermarks } = await openTopic('every-batch')
    log.append(makeBatch({ count: 2 }), createTime)
    assert.equal(log.logEndOffset, 2n)
    assert.equal(log.highWatermark, 0n, 'not visible before the fsync')
    assert.equal(log.read(0n, 1000).records.length, 0)
    await log.awaitDurable()
    assert.equal(log.highWatermark, 2n)
    assert.deepEqual(watermarks, [2n])
    assert.ok(log.read(0n, 1000).records.length > 0)
  })

  test('appends of one tick share one fsync (group commit)', async () => {
    const { log } = await openTopic('every-batch')
    const syncsBefore = log.syncCount
    const waits: Promise<void>[] = []
    for (let i = 0; i < 50; i++) {
      log.append(makeBatch(), createTime)
      waits.push(log.awaitDurable())
    }
    await Promise.all(waits)
    assert.equal(log.syncCount - syncsBefore, 1)
    assert.equal(log.highWatermark, 50n)
  })

  test('appends during a running fsync wait for the next one', async () => {
    const { log } = await openTopic('every-batch')
    log.append(makeBatch(), createTime)
    const first = log.awaitDurable()
    await new Promise((resolve) => setImmediate(resolve))
    log.append(makeBatch(), createTime)
    const second = log.awaitDurable()
    await first
    await second
    assert.equal(log.highWatermark, 2n)
    assert.ok(log.syncCount >= 2)
  })
})

describe('flush policy interval', () => {
  test('appends are visible at once and fsynced when the interval timer fires', async () => {
    const { log, clock } = await openTopic('interval')
    log.append(makeBatch({ count: 3 }), createTime)
    assert.equal(log.highWatermark, 3n)
    await log.awaitDurable()
    assert.equal(log.syncCount, 0, 'awaitDurable does not fsync under interval')
    assert.ok(log.hasUnflushedData)
    clock.advance(100)
    await log.flush()
    assert.equal(log.syncCount, 1)
    assert.equal(log.hasUnflushedData, false)
    assert.ok(clock.pendingTimers >= 1, 'the timer re-arms')
  })
})

describe('flush policy os', () => {
  test('never fsyncs on the append path', async () => {
    const { log, clock } = await openTopic('os')
    for (let i = 0; i < 10; i++) log.append(makeBatch(), createTime)
    assert.equal(log.highWatermark, 10n)
    await log.awaitDurable()
    clock.advance(10_000)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(log.syncCount, 0)
    assert.equal(clock.pendingTimers, 0)
  })

  test('a rolled segment is still fsynced once, in the background', async () => {
    const { log } = await openTopic('os', { 'segment.bytes': '1000' })
    for (let i = 0; i < 10; i++) log.append(makeBatch({ count: 3 }), createTime)
    await log.flush()
    assert.ok(log.syncCount >= 1)
  })

  test('an explicit flush fsyncs', async () => {
    const { log } = await openTopic('os')
    log.append(makeBatch(), createTime)
    await log.flush()
    assert.equal(log.syncCount, 1)
    await log.flush()
    assert.equal(log.syncCount, 1, 'nothing new, no fsync')
  })
})

import { afterEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { createRecordBatch, decodeRecordBatches, encodeControlBatch, encodeRecordBatch, recordOffset, recordTimestamp } from '@tributary/protocol'
import { openLogManager } from '../log-manager.ts'
import type { LogManager, LogManagerOptions } from '../log-manager.ts'
import type { PartitionLog } from '../partition-log.ts'
import { ManualClock, temporaryDirectory } from '../testing/fixtures.ts'
import { findRecordWithoutKey } from './record-keys.ts'
import type { SwapStep } from './segment-swap.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const T0 = 1_000_000

interface Entry { key: string | null; value: string | null }

function batchOf(entries: Entry[], timestamp: number, producer?: { producerId: bigint; baseSequence: number; isTransactional?: boolean }): Uint8Array {
  return encodeRecordBatch(createRecordBatch({
    records: entries.map((entry) => ({ key: entry.key === null ? null : encoder.encode(entry.key), value: entry.value === null ? null : encoder.encode(entry.value) })),
    timestamp,
    producerId: producer?.producerId,
    producerEpoch: producer === undefined ? undefined : 0,
    baseSequence: producer?.baseSequence,
    isTransactional: producer?.isTransactional,
  }))
}

/** Every record readable from the start: offset, key, value, timestamp. */
function readAll(log: PartitionLog): Array<{ offset: bigint; key: string | null; value: string | null; timestampMs: number }> {
  const out = []
  let offset = log.logStartOffset
  while (offset < log.highWatermark) {
    const { records } = log.read(offset, 1 << 20)
    if (records.length === 0) break
    for (const batch of decodeRecordBatches(records)) {
      for (const record of batch.records) {
        if (recordOffset(batch, record) < offset) continue
        out.push({ offset: recordOffset(batch, record), key: record.key && decoder.decode(record.key), value: record.value && decoder.decode(record.value), timestampMs: recordTimestamp(batch, record) })
      }
      offset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
    }
  }
  return out
}

async function openManager(dir: string, clock: ManualClock, options: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  const manager = await openLogManager({ dataDir: dir, flushPolicy: 'os', clock, ...options })
  cleanups.push(() => manager.close())
  return manager
}

function dataDir(): string {
  const directory = temporaryDirectory('tributary-compaction-')
  cleanups.push(directory.remove)
  return directory.path
}

const compactConfigs = { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'delete.retention.ms': '1000', 'min.cleanable.dirty.ratio': '0.01' }

/** 30 updates of keys k0..k4 (value "k<i>=v<n>"), one per batch, so ~8 segments of 400 bytes. */
function produceUpdates(log: PartitionLog, clock: ManualClock, count = 30): Map<string, { offset: bigint; value: string }> {
  const latest = new Map<string, { offset: bigint; value: string }>()
  for (let n = 0; n < count; n++) {
    const key = `k${n % 5}`
    const value = `${key}=v${n}`
    const { baseOffset } = log.append(batchOf([{ key, value }], clock.nowMs()), { nowMs: clock.nowMs() })
    latest.set(key, { offset: baseOffset, value })
  }
  return latest
}

describe('log cleaner', () => {
  test('keeps the latest value per key in sealed segments, at its original offset; the active segment is untouched', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: compactConfigs })
    const log = manager.partition('c', 0)
    const latest = produceUpdates(log, clock)
    const active = log.segments.at(-1)!
    const activeRecords = readAll(log).filter((record) => record.offset >= active.baseOffset)
    assert.ok(log.segments.length >= 5, `expected several segments, got ${log.segments.length}`)
    const [result] = await manager.runCompaction(clock.nowMs())
    assert.equal(result.reason, 'dirty-ratio')
    assert.ok(result.removedRecords > 0 && result.bytesAfter < result.bytesBefore)
    const after = readAll(log)
    const sealed = after.filter((record) => record.offset < active.baseOffset)
    const keys = sealed.map((record) => record.key)
    assert.equal(new Set(keys).size, keys.length, 'one record per key in the cleaned segments')
    for (const record of after) {
      const newest = latest.get(record.key!)!
      if (record.offset < active.baseOffset) assert.ok(record.offset === newest.offset || record.offset < active.baseOffset, 'kept records keep their offsets')
      assert.equal(record.value, `${record.key}=v${record.offset}`, 'the value written at that offset')
    }
    // Every key's latest value is still readable, and the active segment is byte-for-byte as before.
    for (const [key, newest] of latest) assert.ok(after.some((record) => record.key === key && record.offset === newest.offset && record.value === newest.value))
    assert.deepEqual(after.filter((record) => record.offset >= active.baseOffset), activeRecords)
    assert.equal(log.segments.at(-1)!.baseOffset, active.baseOffset)
    assert.equal(log.logEndOffset, 30n)
  })

  test('survives a restart: cleaned segments reopen with rebuilt indexes and the clean offset is remembered', async () => {
    const clock = new ManualClock(T0)
    const dir = dataDir()
    const manager = await openManager(dir, clock)
    manager.createTopic('c', { partitionCount: 1, configs: compactConfigs })
    produceUpdates(manager.partition('c', 0), clock)
    await manager.runCompaction(clock.nowMs())
    const before = readAll(manager.partition('c', 0))
    await manager.close()
    const reopened = await openManager(dir, clock)
    assert.deepEqual(readAll(reopened.partition('c', 0)), before)
    assert.deepEqual(await reopened.runCompaction(clock.nowMs()), [], 'nothing dirty: no pass')
  })

  test('respects min.cleanable.dirty.ratio', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: { ...compactConfigs, 'min.cleanable.dirty.ratio': '0.5' } })
    const log = manager.partition('c', 0)
    const put = (key: string, value: string) => log.append(batchOf([{ key, value }], clock.nowMs()), { nowMs: clock.nowMs() })
    // 60 distinct keys: the clean section stays large after the first pass.
    for (let i = 0; i < 60; i++) put(`key${i}`, `first${i}`)
    const [first] = await manager.runCompaction(clock.nowMs())
    assert.equal(first.reason, 'dirty-ratio', 'never cleaned: everything is dirty')
    // A few updates: dirty bytes well below half of the cleanable bytes, nothing happens.
    for (let i = 0; i < 12; i++) put(`key${i}`, `second${i}`)
    const bytes = log.sizeBytes
    assert.deepEqual(await manager.runCompaction(clock.nowMs()), [])
    assert.equal(log.sizeBytes, bytes)
    // Many more: above the ratio.
    for (let i = 0; i < 60; i++) put(`key${i}`, `third${i}`)
    const [third] = await manager.runCompaction(clock.nowMs())
    assert.equal(third.reason, 'dirty-ratio')
    assert.ok(third.dirtyRatio >= 0.5)
    assert.ok(readAll(log).some((record) => record.value === 'third0'))
  })

  test('honours min.compaction.lag.ms', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: { ...compactConfigs, 'min.compaction.lag.ms': '60000' } })
    produceUpdates(manager.partition('c', 0), clock)
    assert.deepEqual(await manager.runCompaction(clock.nowMs()), [], 'records too young')
    clock.advance(60_001)
    const [result] = await manager.runCompaction(clock.nowMs())
    assert.equal(result.reason, 'dirty-ratio')
  })

  test('keeps tombstones until delete.retention.ms after the first pass, then removes them', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: compactConfigs })
    const log = manager.partition('c', 0)
    produceUpdates(log, clock)
    const tombstone = log.append(batchOf([{ key: 'k1', value: null }], clock.nowMs()), { nowMs: clock.nowMs() })
    produceUpdates(log, clock, 10)
    for (let i = 0; i < 10; i++) log.append(batchOf([{ key: `filler${i}`, value: 'x'.repeat(50) }], clock.nowMs()), { nowMs: clock.nowMs() })
    // k1 is overwritten again by the second round: produce a final tombstone for k2 that stays latest.
    const k2Tombstone = log.append(batchOf([{ key: 'k2', value: null }], clock.nowMs()), { nowMs: clock.nowMs() })
    for (let i = 0; i < 10; i++) log.append(batchOf([{ key: `more${i}`, value: 'y'.repeat(50) }], clock.nowMs()), { nowMs: clock.nowMs() })
    await manager.runCompaction(clock.nowMs())
    let records = readAll(log)
    assert.ok(!records.some((record) => record.offset === tombstone.baseOffset), 'a superseded tombstone goes at once')
    const kept = records.find((record) => record.offset === k2Tombstone.baseOffset)
    assert.ok(kept !== undefined && kept.value === null, 'the latest tombstone stays')
    assert.equal(kept.timestampMs, T0, 'record timestamps survive the delete-horizon rewrite')
    assert.ok(!records.some((record) => record.key === 'k2' && record.offset < k2Tombstone.baseOffset), 'older values of a deleted key go')

    clock.advance(500)
    await manager.runCompaction(clock.nowMs())
    assert.ok(readAll(log).some((record) => record.offset === k2Tombstone.baseOffset), 'still there before delete.retention.ms')
    clock.advance(600)
    const [result] = await manager.runCompaction(clock.nowMs())
    assert.equal(result.reason, 'delete-horizon')
    records = readAll(log)
    assert.ok(!records.some((record) => record.key === 'k2'), 'the tombstone is gone after delete.retention.ms')
    assert.ok(records.some((record) => record.key === 'k3'))
  })

  test('compact,delete also applies retention', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: { ...compactConfigs, 'cleanup.policy': 'compact,delete', 'retention.ms': '10000' } })
    const log = manager.partition('c', 0)
    produceUpdates(log, clock)
    clock.advance(20_000)
    produceUpdates(log, clock, 10)
    await manager.runCompaction(clock.nowMs())
    const [retention] = manager.runRetention(clock.nowMs())
    assert.ok(retention.deletedSegments > 0)
    assert.ok(readAll(log).every((record) => record.timestampMs >= T0 + 20_000), 'old segments deleted by retention.ms')
  })

  test('removes aborted transactions, never touches an open one, keeps markers and a producer\'s last batch', async () => {
    const clock = new ManualClock(T0)
    const manager = await openManager(dataDir(), clock)
    manager.createTopic('c', { partitionCount: 1, configs: compactConfigs })
    const log = manager.partition('c', 0)
    const nowMs = clock.nowMs()
    const aborted = log.append(batchOf([{ key: 'a', value: 'aborted' }], nowMs, { producerId: 7n, baseSequence: 0, isTransactional: true }), { nowMs })
    log.append(encodeControlBatch({ producerId: 7n, producerEpoch: 0, baseOffset: 0n, timestamp: BigInt(nowMs), commit: false, coordinatorEpoch: 0 }), { nowMs })
    const idempotent = log.append(batchOf([{ key: 'b', value: 'old' }], nowMs, { producerId: 9n, baseSequence: 0 }), { nowMs })
    produceUpdates(log, clock, 10)
    log.append(batchOf([{ key: 'b', value: 'new' }], nowMs), { nowMs })
    produceUpdates(log, clock, 10)
    const open = log.append(batchOf([{ key: 'c', value: 'open' }], nowMs, { producerId: 8n, baseSequence: 0, isTransactional: true }), { nowMs })
    produceUpdates(log, clock, 20)
    await manager.runCompaction(clock.nowMs())
    const records = readAll(log)
    assert.ok(!records.some((record) => record.offset === aborted.baseOffset), 'aborted record removed')
    assert.ok(records.some((record) => record.offset === open.baseOffset && record.value === 'open'), 'open transaction kept')
    assert.ok(records.some((record) => record.offset > open.baseOffset), 'records after the open transaction are kept')
    const batches = decodeRecordBatches(log.read(0n, 1 << 20).records)
    assert.ok(batches.some((batch) => (batch.attributes & 0x20) !== 0), 'the abort marker stays')
    const tail = batches.find((batch) => batch.producerId === 9n)
    assert.ok(tail !== undefined && tail.records.length === 0 && tail.baseOffset === idempotent.baseOffset, 'an emptied last batch of a producer stays as an empty batch')
    // Nothing at or after the open transaction's first offset was rewritten: its segment and later ones are dirty.
    const openSegment = log.segments.findLast((segment) => segment.baseOffset <= open.baseOffset)!
    assert.ok(records.filter((record) => record.offset >= openSegment.baseOffset).length >= 20)
  })

  for (const step of ['cleaned-written', 'swap-committed', 'old-segments-deleted', 'swap-renamed', 'indexes-built'] as SwapStep[]) {
    test(`a crash after swap step ${step} recovers a valid log`, async () => {
      const clock = new ManualClock(T0)
      const dir = dataDir()
      const crash = new Error('simulated crash')
      const manager = await openLogManager({ dataDir: dir, flushPolicy: 'os', clock, cleaner: { onSwapStep: (at) => { if (at === step) throw crash } } })
      manager.createTopic('c', { partitionCount: 1, configs: compactConfigs })
      const log = manager.partition('c', 0)
      const latest = produceUpdates(log, clock)
      await manager.flush()
      const uncleaned = readAll(log)
      const [result] = await manager.runCompaction(clock.nowMs())
      assert.match(result.error ?? '', /simulated crash/)
      manager.abandon()
      // A kill -9 while the copy was being written leaves a partial `.cleaned` file behind.
      if (step === 'cleaned-written') writeFileSync(`${dir}/c-0/00000000000000000000.log.cleaned`, 'partial copy')
      const recoveryLines: string[] = []
      const reopened = await openManager(dir, clock, { onRecovery: (line) => recoveryLines.push(line) })
      if (step === 'cleaned-written' || step === 'swap-committed' || step === 'old-segments-deleted') assert.ok(recoveryLines.some((line) => /cleaned|swap/.test(line)), recoveryLines.join('\n'))
      const recovered = readAll(reopened.partition('c', 0))
      assert.ok(!readdirSync(`${dir}/c-0`).some((name) => name.endsWith('.cleaned') || name.endsWith('.swap')), 'no temporary files left')
      // Either the old segments (not committed) or the cleaned ones (committed); never a mix of the two, never a lost latest value.
      const committed = step !== 'cleaned-written'
      if (!committed) assert.deepEqual(recovered, uncleaned)
      else assert.ok(recovered.length < uncleaned.length)
      for (const [key, newest] of latest) assert.ok(recovered.some((record) => record.key === key && record.offset === newest.offset && record.value === newest.value), `${key} latest kept`)
      const offsets = recovered.map((record) => record.offset)
      assert.deepEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)), 'offsets increase')
      assert.equal(reopened.partition('c', 0).logEndOffset, 30n)
      // A later pass completes the work.
      await reopened.runCompaction(clock.nowMs())
      const keys = readAll(reopened.partition('c', 0)).filter((record) => record.offset < reopened.partition('c', 0).segments.at(-1)!.baseOffset).map((record) => record.key)
      assert.equal(new Set(keys).size, keys.length)
      assert.ok(existsSync(`${dir}/c-0/cleaner.checkpoint`))
    })
  }
})

describe('findRecordWithoutKey', () => {
  test('finds the first keyless record of a produce request, ignoring control batches', () => {
    const keyed = batchOf([{ key: 'a', value: '1' }], T0)
    const keyless = batchOf([{ key: 'b', value: '2' }, { key: null, value: '3' }], T0)
    const marker = encodeControlBatch({ producerId: 1n, producerEpoch: 0, baseOffset: 0n, timestamp: BigInt(T0), commit: true, coordinatorEpoch: 0 })
    assert.equal(findRecordWithoutKey(Buffer.concat([keyed, marker])), undefined)
    assert.deepEqual(findRecordWithoutKey(Buffer.concat([keyed, marker, keyless])), { batchIndex: 2, recordIndex: 1, message: 'Compacted topic cannot accept message without key' })
  })
})

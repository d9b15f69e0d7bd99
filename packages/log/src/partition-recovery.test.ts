import { describe, test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPartitionLog } from './partition-open.ts'
import type { PartitionLog } from './partition-log.ts'
import { segmentFileName } from './log-segment.ts'
import { resolveTopicConfig } from './topic-config.ts'
import { makeBatch, recordsOf, temporaryDirectory } from './testing/fixtures.ts'

const directories: Array<{ remove: () => void }> = []
const open: PartitionLog[] = []
afterEach(async () => {
  for (const log of open.splice(0)) await log.close().catch(() => {})
  for (const directory of directories.splice(0)) directory.remove()
})

function newDir(): string {
  const directory = temporaryDirectory()
  directories.push(directory)
  return join(directory.path, 't-0')
}

function openLog(dir: string, cleanShutdown: boolean, configs: Record<string, string> = {}, messages: string[] = []): PartitionLog {
  const log = openPartitionLog({
    dir,
    topic: 't',
    partition: 0,
    config: resolveTopicConfig({ 'index.interval.bytes': '300', ...configs }),
    flushPolicy: 'os',
    cleanShutdown,
    nowMs: 0,
    onRecovery: (message) => messages.push(message),
  })
  open.push(log)
  return log
}

const createTime = { timestampType: 'CreateTime', nowMs: 0 } as const

function allOffsets(log: PartitionLog): bigint[] {
  const offsets: bigint[] = []
  let next = log.logStartOffset
  while (next < log.logEndOffset) {
    const records = recordsOf(log.read(next, 1 << 20).records).filter((record) => record.offset >= next)
    offsets.push(...records.map((record) => record.offset))
    next = records[records.length - 1].offset + 1n
  }
  return offsets
}

function fill(log: PartitionLog, batches: number, recordsPerBatch = 3): void {
  for (let i = 0; i < batches; i++) log.append(makeBatch({ count: recordsPerBatch, timestamp: 1_000 + i }), createTime)
}

describe('recovery', () => {
  test('a clean close and reopen keeps offsets, indexes and timestamps', async () => {
    const dir = newDir()
    const log = openLog(dir, false, { 'segment.bytes': '4000' })
    fill(log, 40)
    const before = { segments: log.segments, end: log.logEndOffset, max: log.maxTimestamp(), at: log.offsetForTimestamp(1_020) }
    await log.close()
    const reopened = openLog(dir, true, { 'segment.bytes': '4000' })
    assert.deepEqual(reopened.segments, before.segments)
    assert.equal(reopened.logEndOffset, before.end)
    assert.deepEqual(reopened.maxTimestamp(), before.max)
    assert.deepEqual(reopened.offsetForTimestamp(1_020), before.at)
    assert.deepEqual(allOffsets(reopened), Array.from({ length: 120 }, (_, i) => BigInt(i)))
    assert.equal(reopened.append(makeBatch(), createTime).baseOffset, 120n)
  })

  test('an unclean stop (no close) recovers every appended batch', () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 25)
    log.abandon()
    const reopened = openLog(dir, false)
    assert.equal(reopened.logEndOffset, 75n)
    assert.deepEqual(allOffsets(reopened), Array.from({ length: 75 }, (_, i) => BigInt(i)))
  })

  test('a torn last batch is cut and offsets continue after the last whole batch', () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 10)
    log.abandon()
    const path = join(dir, segmentFileName(0n, '.log'))
    const batchBytes = makeBatch({ count: 3 }).length
    truncateSync(path, statSync(path).size - 17)
    const messages: string[] = []
    const reopened = openLog(dir, false, {}, messages)
    assert.equal(reopened.logEndOffset, 27n)
    assert.equal(statSync(path).size, batchBytes * 9)
    assert.match(messages.join('\n'), /cut \d+ bytes \(truncated\)/)
    assert.equal(reopened.append(makeBatch({ count: 2 }), createTime).baseOffset, 27n)
    assert.deepEqual(allOffsets(reopened), Array.from({ length: 29 }, (_, i) => BigInt(i)))
  })

  test('garbage after the last batch is cut', () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 5)
    log.abandon()
    const path = join(dir, segmentFileName(0n, '.log'))
    const size = statSync(path).size
    appendFileSync(path, Buffer.from('this is not a record batch, just bytes a crash left behind '.repeat(3)))
    const reopened = openLog(dir, false)
    assert.equal(reopened.logEndOffset, 15n)
    assert.equal(statSync(path).size, size)
  })

  test('a batch whose bytes were damaged fails its CRC and is cut with everything after it', () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 6)
    log.abandon()
    const path = join(dir, segmentFileName(0n, '.log'))
    const bytes = readFileSync(path)
    const batchBytes = makeBatch({ count: 3 }).length
    bytes[batchBytes * 4 + 100] ^= 0xff
    writeFileSync(path, bytes)
    const messages: string[] = []
    const reopened = openLog(dir, false, {}, messages)
    assert.equal(reopened.logEndOffset, 12n)
    assert.match(messages.join('\n'), /crc mismatch/)
  })

  test('a clean-shutdown open rebuilds a damaged index instead of trusting it', async () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 30)
    await log.close()
    const indexPath = join(dir, segmentFileName(0n, '.index'))
    const index = readFileSync(indexPath)
    assert.ok(index.length >= 16)
    index.writeInt32BE(3, index.length - 8)
    index.writeInt32BE(1234, index.length - 4)
    writeFileSync(indexPath, index)
    const messages: string[] = []
    const reopened = openLog(dir, true, {}, messages)
    assert.match(messages.join('\n'), /rebuilding/)
    assert.deepEqual(allOffsets(reopened), Array.from({ length: 90 }, (_, i) => BigInt(i)))
  })

  test('missing index files are rebuilt after a crash', () => {
    const dir = newDir()
    const log = openLog(dir, false, { 'segment.bytes': '3000' })
    fill(log, 30)
    log.abandon()
    for (const suffix of ['.index', '.timeindex'] as const) {
      const path = join(dir, segmentFileName(0n, suffix))
      if (existsSync(path)) truncateSync(path, 0)
    }
    const reopened = openLog(dir, false, { 'segment.bytes': '3000' })
    assert.deepEqual(allOffsets(reopened), Array.from({ length: 90 }, (_, i) => BigInt(i)))
    assert.deepEqual(reopened.offsetForTimestamp(1_010), { offset: 30n, timestampMs: 1_010 })
  })

  test('after a crash, recovery resumes from the checkpointed anchor instead of rescanning the segment', () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 40)
    // What an fsync round followed by a periodic checkpoint (runRetention) leaves on disk.
    return log.flush().then(() => {
      log.runRetention(0)
      for (let i = 40; i < 45; i++) log.append(makeBatch({ count: 3, timestamp: 1_000 + i }), createTime)
      log.abandon()
      const batchBytes = makeBatch({ count: 3 }).length
      const messages: string[] = []
      const reopened = openLog(dir, false, {}, messages)
      assert.match(messages.join('\n'), new RegExp(`re-validated ${batchBytes * 5} of ${batchBytes * 45} bytes`))
      assert.deepEqual(allOffsets(reopened), Array.from({ length: 135 }, (_, i) => BigInt(i)))
      assert.deepEqual(reopened.offsetForTimestamp(1_042), { offset: 126n, timestampMs: 1_042 })
      assert.deepEqual(reopened.maxTimestamp(), { offset: 132n, timestampMs: 1_044 })
    })
  })

  test('an anchor past a torn tail is ignored and the whole segment is rescanned', async () => {
    const dir = newDir()
    const log = openLog(dir, false)
    fill(log, 10)
    await log.flush()
    log.runRetention(0)
    log.abandon()
    const path = join(dir, segmentFileName(0n, '.log'))
    const batchBytes = makeBatch({ count: 3 }).length
    truncateSync(path, batchBytes * 7 + 5)
    const messages: string[] = []
    const reopened = openLog(dir, false, {}, messages)
    assert.match(messages.join('\n'), new RegExp(`re-validated ${batchBytes * 7 + 5} of ${batchBytes * 7 + 5} bytes`))
    assert.equal(reopened.logEndOffset, 21n)
  })

  test('logStartOffset survives a restart, and segments below it left by a crash are removed', async () => {
    const dir = newDir()
    const log = openLog(dir, false, { 'segment.bytes': '1000' })
    fill(log, 20, 2)
    const target = log.segments[3].baseOffset
    log.deleteRecordsBefore(target)
    await log.close()
    const reopened = openLog(dir, true, { 'segment.bytes': '1000' })
    assert.equal(reopened.logStartOffset, target)
    assert.equal(reopened.segments[0].baseOffset, target)
  })

  test('a rolled segment is fsynced and checkpointed, so a crash re-validates only later segments', async () => {
    const dir = newDir()
    const log = openLog(dir, false, { 'segment.bytes': '2000' })
    fill(log, 20)
    await log.flush()
    const checkpoint = JSON.parse(readFileSync(join(dir, 'partition.checkpoint'), 'utf8')) as { recoveryPoint: string }
    assert.ok(BigInt(checkpoint.recoveryPoint) >= log.segments[log.segments.length - 1].baseOffset)
    log.abandon()
    // Flip a byte inside the first (sealed, fsynced) segment: a crash-recovery open trusts
    // segments below the recovery point, so it does not scan (and does not notice) it.
    const path = join(dir, segmentFileName(0n, '.log'))
    const bytes = readFileSync(path)
    bytes[500] ^= 0xff
    writeFileSync(path, bytes)
    const messages: string[] = []
    const reopened = openLog(dir, false, { 'segment.bytes': '2000' }, messages)
    assert.equal(messages.filter((message) => / segment 0 /.test(message)).length, 0)
    assert.equal(reopened.segments[0].sizeBytes, bytes.length)
    assert.equal(reopened.logEndOffset, 60n)
  })
})

// Log compaction end to end: a topic with cleanup.policy=compact and tiny segments gets many
// updates to a few keys plus tombstones from a real client (@platformatic/kafka); the broker's
// periodic task (runRetention also starts a compaction run) cleans the sealed segments; a
// consumer reading from offset 0 then sees exactly the latest value per key, at their original
// offsets, and the tombstoned keys disappear once delete.retention.ms has passed. kcat
// (librdkafka) reading from the beginning must see the same records.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { Admin, Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { startTestBroker } from './fixtures/test-broker.ts'
import type { TestBroker } from './fixtures/test-broker.ts'

const clientOptions = (broker: TestBroker) => ({ clientId: 'compaction', bootstrapBrokers: [`127.0.0.1:${broker.port}`], retries: 2, timeout: 5000 })
const DELETE_RETENTION_MS = 1500
const execFileAsync = promisify(execFile)

interface Seen { offset: bigint; key: string; value: string | null }

/** Everything a consumer reads from offset 0 up to the end, through the client's Fetch. */
async function readFromBeginning(consumer: Consumer<string, string, string, string>, topicId: string): Promise<Seen[]> {
  const seen: Seen[] = []
  let fetchOffset = 0n
  for (let round = 0; round < 1000; round++) {
    const response = await consumer.fetch({
      node: 1, maxWaitTime: 10,
      topics: [{ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
    })
    const partition = response.responses[0].partitions[0]
    const batches = partition.records ?? []
    if (batches.length === 0) break
    for (const batch of batches) {
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta)
        if (offset >= fetchOffset) seen.push({ offset, key: record.key!.toString(), value: isTombstone(record) ? null : String(record.value) })
      }
      fetchOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
    }
    if (fetchOffset >= partition.highWatermark) break
  }
  return seen
}

function isTombstone(record: { value?: unknown }): boolean {
  return record.value === null || record.value === undefined
}

function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V']).status === 0
}

/** Records of profiles-0 from the beginning through kcat (librdkafka), as Seen rows. */
async function readWithKcat(broker: TestBroker): Promise<Seen[]> {
  const { stdout } = await execFileAsync('kcat', ['-C', '-b', `127.0.0.1:${broker.port}`, '-t', 'profiles', '-p', '0', '-o', 'beginning', '-e', '-q', '-Z', '-f', '%o\t%k\t%s\n'], { timeout: 20_000 })
  return stdout.split('\n').filter((line) => line !== '').map((line) => {
    const [offset, key, value] = line.split('\t')
    return { offset: BigInt(offset), key, value: value === 'NULL' ? null : value }
  })
}

async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await attempt()
    if (result !== undefined) return result
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('a compacted topic keeps the latest value per key; tombstoned keys disappear after delete.retention.ms', async (t) => {
  const broker = await startTestBroker()
  const admin = new Admin(clientOptions(broker))
  const producer = new Producer({ ...clientOptions(broker), serializers: stringSerializers })
  const consumer = new Consumer({ ...clientOptions(broker), groupId: 'compaction-reader', deserializers: stringDeserializers })
  try {
    const [created] = await admin.createTopics({
      topics: ['profiles'], partitions: 1, replicas: 1,
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'segment.bytes', value: '1024' },
        { name: 'min.cleanable.dirty.ratio', value: '0.01' },
        { name: 'delete.retention.ms', value: String(DELETE_RETENTION_MS) },
      ],
    })
    const latest = new Map<string, { offset: bigint; value: string | null }>()
    const history: Seen[] = []
    let offset = 0n
    // 200 updates to 8 keys, one request each so that batches (and segments) are many and small.
    for (let n = 0; n < 200; n++) {
      const key = `user-${n % 8}`
      const value = `${key}@${n}`
      await producer.send({ messages: [{ topic: 'profiles', partition: 0, key, value }], acks: ProduceAcks.ALL })
      history.push({ offset, key, value })
      latest.set(key, { offset: offset++, value })
    }
    // Tombstones for two keys, then more traffic so that they sit in sealed segments.
    for (const key of ['user-3', 'user-5']) {
      await producer.send({ messages: [{ topic: 'profiles', partition: 0, key, value: null as unknown as string }], acks: ProduceAcks.ALL })
      history.push({ offset, key, value: null })
      latest.set(key, { offset: offset++, value: null })
    }
    for (let n = 0; n < 40; n++) {
      const key = `user-${[0, 1, 2, 4][n % 4]}`
      const value = `${key}@late${n}`
      await producer.send({ messages: [{ topic: 'profiles', partition: 0, key, value }], acks: ProduceAcks.ALL })
      history.push({ offset, key, value })
      latest.set(key, { offset: offset++, value })
    }
    const segmentFiles = () => readdirSync(join(broker.dataDir, 'profiles-0')).filter((name) => name.endsWith('.log'))
    const logBytes = () => segmentFiles().reduce((sum, name) => sum + statSync(join(broker.dataDir, 'profiles-0', name)).size, 0)
    const segmentsBefore = segmentFiles().length
    const bytesBefore = logBytes()
    assert.ok(segmentsBefore > 10, `small segments: ${segmentsBefore}`)
    const before = await readFromBeginning(consumer, created.id)
    assert.equal(before.length, 242)

    const activeBase = BigInt(segmentFiles().sort().at(-1)!.slice(0, 20))
    // What a cleaned log holds: below the active segment, the last record of each key there
    // (without tombstones once they expired); the active segment as written.
    const expectedAfterCleaning = (withTombstones: boolean): Seen[] => {
      const lastBelowActive = new Map<string, Seen>()
      for (const record of history) if (record.offset < activeBase) lastBelowActive.set(record.key, record)
      const sealed = [...lastBelowActive.values()].filter((record) => withTombstones || record.value !== null)
      return [...sealed, ...history.filter((record) => record.offset >= activeBase)].sort((a, b) => (a.offset < b.offset ? -1 : 1))
    }
    /** What a consumer folding the records into a table ends with. */
    const table = (records: Seen[]) => {
      const rows = new Map<string, string>()
      for (const record of records) {
        if (record.value === null) rows.delete(record.key)
        else rows.set(record.key, record.value)
      }
      return Object.fromEntries([...rows].sort())
    }
    const expectedTable = table(history)
    const compacted = await waitFor('compaction', async () => {
      broker.runRetention()
      const seen = await readFromBeginning(consumer, created.id)
      // A run is asynchronous: wait until it has cleaned every sealed segment.
      return seen.length === expectedAfterCleaning(true).length ? seen : undefined
    })
    assert.deepEqual(compacted, expectedAfterCleaning(true), 'latest value per key below the active segment, at original offsets; tombstones kept for now')
    assert.deepEqual(table(compacted), expectedTable, 'a consumer from the beginning ends with the latest value per key')
    assert.ok(compacted.some((record) => record.value === null && record.offset < activeBase), 'tombstones stay readable for delete.retention.ms')
    assert.ok(logBytes() < bytesBefore / 4, `cleaned segments are smaller: ${logBytes()} of ${bytesBefore} bytes`)

    // librdkafka (kcat, a strict client: CRC checks, offset gaps) reading from the beginning sees the same.
    if (kcatAvailable()) assert.deepEqual(await readWithKcat(broker), compacted, 'kcat sees the compacted log')
    else t.diagnostic('kcat is not installed: the librdkafka check is skipped')

    // After delete.retention.ms the next run removes the tombstones (and the keys are gone).
    await new Promise((resolve) => setTimeout(resolve, DELETE_RETENTION_MS + 100))
    const final = await waitFor('tombstone removal', async () => {
      broker.runRetention()
      const seen = await readFromBeginning(consumer, created.id)
      return seen.length === expectedAfterCleaning(false).length ? seen : undefined
    })
    assert.deepEqual(final, expectedAfterCleaning(false))
    assert.ok(!final.some((record) => record.key === 'user-3' || record.key === 'user-5'), 'tombstoned keys disappeared')
    assert.deepEqual(table(final), expectedTable)
    if (kcatAvailable()) assert.deepEqual(await readWithKcat(broker), final, 'kcat sees the tombstones gone')
  } finally {
    await consumer.close()
    await producer.close()
    await admin.close()
    await broker.destroy()
  }
})

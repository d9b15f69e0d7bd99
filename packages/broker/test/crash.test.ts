// kill -9 in the middle of acks=all produce traffic, several times, on one data directory with
// --flush-policy every-batch: after each restart every acknowledged record is present at its
// acknowledged offset, the log holds only whole valid batches (CRC-checked), and new appends
// continue right after what survived.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { ApiKey, ErrorCode, decodeRecordBatches } from '@tributary/protocol'
import type { FetchResponse, ProduceResponse, CreateTopicsResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { spawnBroker } from './fixtures/broker-process.ts'
import type { BrokerProcess } from './fixtures/broker-process.ts'
import { recordBatch, temporaryDataDir } from './fixtures/test-broker.ts'
import { createTopicsRequest, fetchRequest, produceRequest } from './fixtures/requests.ts'

const kills = 4
const maxInFlight = 8

interface Acknowledged {
  baseOffset: bigint
  values: string[]
}

/** Produces acks=all batches, `maxInFlight` at a time, until the connection dies. */
async function produceUntilKilled(client: WireClient, round: number, acknowledged: Acknowledged[]): Promise<void> {
  let sequence = 0
  const sendOne = async (): Promise<void> => {
    const values = [`r${round}-b${sequence}-0`, `r${round}-b${sequence}-1`]
    sequence++
    const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('crash', { 0: recordBatch(values) }, -1))
    const partition = response.responses[0].partitionResponses[0]
    assert.equal(partition.errorCode, ErrorCode.None)
    acknowledged.push({ baseOffset: partition.baseOffset, values })
  }
  const workers = Array.from({ length: maxInFlight }, async () => {
    for (;;) await sendOne()
  })
  const outcomes = await Promise.allSettled(workers)
  for (const outcome of outcomes) {
    // The kill ends every worker with "connection closed"; anything else is a real failure.
    if (outcome.status === 'rejected' && (outcome.reason as Error).message !== 'connection closed') throw outcome.reason
  }
}

async function readAll(client: WireClient): Promise<{ offsets: bigint[]; values: string[]; highWatermark: bigint }> {
  const offsets: bigint[] = []
  const values: string[] = []
  let fetchOffset = 0n
  let highWatermark = -1n
  for (;;) {
    const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'crash', partition: 0, fetchOffset, partitionMaxBytes: 256 * 1024 }]))
    const partition = response.responses[0].partitions[0]
    assert.equal(partition.errorCode, ErrorCode.None)
    highWatermark = partition.highWatermark
    const batches = decodeRecordBatches(partition.records ?? new Uint8Array(0))
    if (batches.length === 0) break
    for (const batch of batches) {
      for (const record of batch.records) {
        offsets.push(batch.baseOffset + BigInt(record.offsetDelta))
        values.push(Buffer.from(record.value!).toString())
      }
      fetchOffset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
    }
  }
  return { offsets, values, highWatermark }
}

test('acknowledged records survive kill -9 under every-batch flushing', { timeout: 120_000 }, async () => {
  const dataDir = temporaryDataDir()
  const acknowledged: Acknowledged[] = []
  let broker: BrokerProcess | undefined
  try {
    for (let round = 0; round <= kills; round++) {
      broker = await spawnBroker(['--data-dir', dataDir, '--flush-policy', 'every-batch', '--log-level', 'warn'])
      const client = await WireClient.connect(broker.port)
      if (round === 0) {
        const created = await client.request<CreateTopicsResponse>(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'crash', numPartitions: 1 }]))
        assert.equal(created.topics[0].errorCode, ErrorCode.None)
      }
      const log = await readAll(client)
      // Offsets are dense from 0 and every acknowledged batch is where it was acknowledged.
      assert.deepEqual(log.offsets, log.offsets.map((_, index) => BigInt(index)))
      assert.equal(log.highWatermark, BigInt(log.offsets.length))
      for (const batch of acknowledged) {
        batch.values.forEach((value, index) => assert.equal(log.values[Number(batch.baseOffset) + index], value, `acknowledged record at ${batch.baseOffset + BigInt(index)}`))
      }
      if (round === kills) {
        const next = await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('crash', { 0: recordBatch(['after-last-crash']) }, -1))
        assert.equal(next.responses[0].partitionResponses[0].baseOffset, log.highWatermark, 'offsets continue after the surviving log')
        client.close()
        break
      }
      const producing = produceUntilKilled(client, round, acknowledged)
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 350)))
      broker.child.kill('SIGKILL')
      await broker.exited
      await producing
      client.close()
    }
    assert.ok(acknowledged.length > kills, `only ${acknowledged.length} acknowledged batches`)
    console.log(`crash test: ${kills} kills, ${acknowledged.length} acknowledged batches verified`)
  } finally {
    if (broker !== undefined && broker.child.exitCode === null && broker.child.signalCode === null) {
      broker.child.kill('SIGTERM')
      await broker.exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('SIGTERM shuts the CLI broker down cleanly and the data is there after restart', { timeout: 60_000 }, async () => {
  const dataDir = temporaryDataDir()
  try {
    const first = await spawnBroker(['--data-dir', dataDir, '--flush-policy', 'os', '--log-level', 'info'])
    const client = await WireClient.connect(first.port)
    await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'crash' }]))
    await client.request(ApiKey.Produce, 9, produceRequest('crash', { 0: recordBatch(['kept']) }, 1))
    client.close()
    first.child.kill('SIGTERM')
    assert.deepEqual(await first.exited, { code: 0, signal: null })
    assert.match(first.stderr(), /SIGTERM received, shutting down/)
    const second = await spawnBroker(['--data-dir', dataDir, '--log-level', 'warn'])
    const reader = await WireClient.connect(second.port)
    assert.deepEqual((await readAll(reader)).values, ['kept'])
    reader.close()
    second.child.kill('SIGINT')
    assert.equal((await second.exited).code, 0)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})

// kill -9 of a broker process in the middle of transactions and group rebalances, twice, on one
// data directory. After each restart: read_committed readers see every transaction whole or not
// at all (and every acknowledged commit whole), a transaction left open is aborted by its
// timeout, and committed offsets (plain and transactional) are intact.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiKey, ErrorCode, createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import type {
  AddOffsetsToTxnResponse, AddPartitionsToTxnResponse, DescribeTransactionsResponse, EndTxnResponse, InitProducerIdResponse, JoinGroupResponse, ListTransactionsResponse,
  OffsetCommitResponse, OffsetFetchResponse, ProduceResponse, SyncGroupResponse, TxnOffsetCommitResponse,
} from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { readPartition, temporaryDirectory, waitFor } from './eos-scratch-fixtures.ts'

const transactionTimeoutMs = 2000
const recordsPerPartition = 3

interface Child { port: number; kill(): Promise<void> }

async function spawnBroker(dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, ['/tmp/eos-scratch/scratch-broker.ts', dataDir, 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr}`)), 15_000)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /listening on .+:(\d+)/.exec(stdout)
      if (match !== null) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    void exited.then(() => reject(new Error(`broker exited early: ${stderr}`)))
  })
  return { port, kill: async () => {
    child.kill('SIGKILL')
    await exited
  } }
}

function batch(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Uint8Array {
  return encodeRecordBatch(createRecordBatch({ records: values.map((value) => ({ value: Buffer.from(value) })), timestamp: Date.now(), isTransactional: true, producerId, producerEpoch, baseSequence }))
}

/** What the workload saw acknowledged before the kill. */
interface Acknowledged {
  /** Transactions whose EndTxn(commit) was answered without error. */
  committed: Set<string>
  /** Transactions begun (records may be in the log). */
  begun: Set<string>
  /** Last acknowledged TxnOffsetCommit offset of group crash-eos. */
  transactionalOffset: number
  /** Last acknowledged plain OffsetCommit per member loop. */
  plainOffsets: number[]
}

/** Commits transactions of 3 records on each of 2 partitions plus a TxnOffsetCommit, until the connection dies. */
async function transactionLoop(client: WireClient, round: number, acknowledged: Acknowledged): Promise<void> {
  const transactionalId = `crash-tx-${round}`
  let init: InitProducerIdResponse
  do init = await client.request<InitProducerIdResponse>(ApiKey.InitProducerId, 3, { transactionalId, transactionTimeoutMs, producerId: -1n, producerEpoch: -1 })
  while (init.errorCode === ErrorCode.ConcurrentTransactions)
  assert.equal(init.errorCode, ErrorCode.None)
  const { producerId, producerEpoch } = init
  const sequences = [0, 0]
  for (let number = 0; ; number++) {
    const name = `r${round}-t${number}`
    const added = await client.request<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 3, {
      transactions: [], v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: 'crash-out', partitions: [0, 1] }],
    })
    assert.equal(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.None)
    acknowledged.begun.add(name)
    for (const partition of [0, 1]) {
      const values = Array.from({ length: recordsPerPartition }, (_, index) => `${name}-p${partition}-${index}`)
      const produced = await client.request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 'crash-out', partitionData: [{ index: partition, records: batch(producerId, producerEpoch, sequences[partition], values) }] }] })
      assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.None)
      sequences[partition] += recordsPerPartition
    }
    const offsets = await client.request<AddOffsetsToTxnResponse>(ApiKey.AddOffsetsToTxn, 3, { transactionalId, producerId, producerEpoch, groupId: 'crash-eos' })
    assert.equal(offsets.errorCode, ErrorCode.None)
    const offset = round * 10_000 + number + 1
    const committedOffsets = await client.request<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, 3, {
      transactionalId, groupId: 'crash-eos', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'crash-in', partitions: [{ partitionIndex: 0, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: name }] }],
    })
    assert.equal(committedOffsets.topics[0].partitions[0].errorCode, ErrorCode.None)
    const ended = await client.request<EndTxnResponse>(ApiKey.EndTxn, 3, { transactionalId, producerId, producerEpoch, committed: true })
    assert.equal(ended.errorCode, ErrorCode.None)
    acknowledged.committed.add(name)
    acknowledged.transactionalOffset = offset
  }
}

/** One member that joins, syncs, commits an increasing offset and leaves, over and over (rebalances with its peer). */
async function memberLoop(client: WireClient, index: number, acknowledged: Acknowledged): Promise<void> {
  for (let offset = 1; ; offset++) {
    const join = (memberId: string) => client.request<JoinGroupResponse>(ApiKey.JoinGroup, 5, {
      groupId: 'crash-members', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 1000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }], reason: null,
    })
    let joined = await join('')
    if (joined.errorCode === ErrorCode.MemberIdRequired) joined = await join(joined.memberId)
    if (joined.errorCode !== ErrorCode.None) continue
    const synced = await client.request<SyncGroupResponse>(ApiKey.SyncGroup, 3, {
      groupId: 'crash-members', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
      assignments: joined.leader === joined.memberId ? joined.members.map((member) => ({ memberId: member.memberId, assignment: new Uint8Array([1]) })) : [],
    })
    if (synced.errorCode === ErrorCode.None) {
      const committed = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 7, {
        groupId: 'crash-members', generationIdOrMemberEpoch: joined.generationId, memberId: joined.memberId, groupInstanceId: null, retentionTimeMs: -1n,
        topics: [{ name: 'crash-in', partitions: [{ partitionIndex: 1 + index, committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
      })
      if (committed.topics[0].partitions[0].errorCode === ErrorCode.None) acknowledged.plainOffsets[index] = offset
    }
    await client.request(ApiKey.LeaveGroup, 3, { groupId: 'crash-members', memberId: '', members: [{ memberId: joined.memberId, groupInstanceId: null, reason: null }] })
  }
}

/** Settles the loops at once (they reject when the broker dies), then rethrows any failure other than the closed connection. */
async function runUntilKilled(loops: Array<Promise<void>>): Promise<void> {
  for (const outcome of await Promise.allSettled(loops)) {
    if (outcome.status === 'rejected' && (outcome.reason as Error).message !== 'connection closed') throw outcome.reason
  }
}

async function fetchOffsets(client: WireClient, groupId: string): Promise<Map<number, bigint>> {
  const response = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: 'crash-in', partitionIndexes: [0, 1, 2] }], groups: [], requireStable: true })
  return new Map(response.topics[0].partitions.map((partition) => {
    assert.equal(partition.errorCode, ErrorCode.None, `offset of ${groupId} partition ${partition.partitionIndex} is stable`)
    return [partition.partitionIndex, partition.committedOffset]
  }))
}

test('kill -9 during transactions and rebalances: only whole committed transactions, offsets intact, open ones aborted by timeout', async () => {
  const dataDir = temporaryDirectory('tributary-eos-crash-')
  let broker = await spawnBroker(dataDir)
  const acknowledged: Acknowledged = { committed: new Set(), begun: new Set(), transactionalOffset: 0, plainOffsets: [0, 0] }
  try {
    const setup = await WireClient.connect(broker.port)
    await setup.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: 'crash-out', numPartitions: 2 }, { name: 'crash-in', numPartitions: 3 }]))
    setup.close()
    for (let round = 0; round < 2; round++) {
      const clients = await Promise.all([0, 1, 2, 3].map(() => WireClient.connect(broker.port)))
      // A transaction left open across the crash: its records are in the log, its end never comes.
      const openId = `crash-open-${round}`
      const init = await clients[3].request<InitProducerIdResponse>(ApiKey.InitProducerId, 3, { transactionalId: openId, transactionTimeoutMs, producerId: -1n, producerEpoch: -1 })
      await clients[3].request(ApiKey.AddPartitionsToTxn, 3, { transactions: [], v3AndBelowTransactionalId: openId, v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch, v3AndBelowTopics: [{ name: 'crash-out', partitions: [0] }] })
      const openProduce = await clients[3].request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId: openId, acks: -1, timeoutMs: 5000, topicData: [{ name: 'crash-out', partitionData: [{ index: 0, records: batch(init.producerId, init.producerEpoch, 0, [`open-${round}`]) }] }] })
      assert.equal(openProduce.responses[0].partitionResponses[0].errorCode, ErrorCode.None)
      const loops = runUntilKilled([transactionLoop(clients[0], round, acknowledged), memberLoop(clients[1], 0, acknowledged), memberLoop(clients[2], 1, acknowledged)])
      await waitFor('some committed transactions', () => acknowledged.committed.size >= 5 * (round + 1) && acknowledged.plainOffsets.every((offset) => offset > round * 2), 30_000, 10)
      await broker.kill()
      await loops
      for (const client of clients) client.close()

      broker = await spawnBroker(dataDir)
      const client = await WireClient.connect(broker.port)
      // Transactions open at the kill (the deliberately open one, perhaps the loop's) end by timeout.
      await waitFor('every transaction decided', async () => {
        const listed = await client.request<ListTransactionsResponse>(ApiKey.ListTransactions, 0, { stateFilters: ['Ongoing', 'PrepareCommit', 'PrepareAbort'], producerIdFilters: [], durationFilter: -1n })
        return listed.transactionStates.length === 0
      }, 15_000, 100)
      const described = await client.request<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0, { transactionalIds: [openId] })
      assert.equal(described.transactionStates[0].transactionState, 'CompleteAbort', 'the open transaction was aborted by its timeout')
      const visible = new Map<string, number>()
      for (const partition of [0, 1]) {
        for (const record of (await readPartition(broker.port, 'crash-out', partition, 1)).records) {
          const name = /^(r\d+-t\d+|open-\d+)/.exec(record.value!)![1]
          visible.set(name, (visible.get(name) ?? 0) + 1)
        }
      }
      for (const name of acknowledged.committed) assert.equal(visible.get(name), 2 * recordsPerPartition, `acknowledged transaction ${name} is whole`)
      for (const [name, count] of visible) {
        assert.ok(!name.startsWith('open-'), `the open transaction ${name} is never visible`)
        assert.ok(acknowledged.begun.has(name), `${name} was begun`)
        assert.equal(count, 2 * recordsPerPartition, `transaction ${name} is all or nothing`)
      }
      const transactional = (await fetchOffsets(client, 'crash-eos')).get(0)!
      assert.ok(transactional >= BigInt(acknowledged.transactionalOffset) && transactional <= BigInt(acknowledged.transactionalOffset + 1), `transactional offset ${transactional} vs acknowledged ${acknowledged.transactionalOffset}`)
      const lastVisible = [...visible.keys()].filter((name) => name.startsWith(`r${round}-`)).map((name) => Number(name.split('-t')[1])).sort((a, b) => a - b).at(-1)
      assert.equal(transactional, BigInt(round * 10_000 + (lastVisible ?? -1) + 1), 'the offsets commit with the transaction that carried them')
      const plain = await fetchOffsets(client, 'crash-members')
      for (const index of [0, 1]) assert.ok(plain.get(1 + index)! >= BigInt(acknowledged.plainOffsets[index]), `member ${index} offset ${plain.get(1 + index)} >= ${acknowledged.plainOffsets[index]}`)
      const settled = await readPartition(broker.port, 'crash-out', 0, 1)
      assert.equal(settled.lastStableOffset, settled.highWatermark)
      assert.ok(!settled.records.some((record) => record.value!.startsWith('open-')))
      client.close()
    }
  } finally {
    await broker.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

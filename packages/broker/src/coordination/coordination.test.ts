import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, createRecordBatch, decodeRecordBatches, encodeRecordBatch, isControlBatch } from '@tributary/protocol'
import { openLogManager } from '@tributary/log'
import type { LogManager } from '@tributary/log'
import { ManualClock } from '@tributary/testing'
import { Cluster } from '../cluster/cluster.ts'
import { AppendWaiters } from '../cluster/append-waiters.ts'
import { createLogger } from '../logger.ts'
import { encodeSubscriptionTopics } from '../coordinator/group/consumer-protocol.ts'
import { Coordination } from './coordination.ts'

const START_MS = 1_700_000_000_000

interface Node {
  readonly logs: LogManager
  readonly cluster: Cluster
  readonly coordination: Coordination
}

async function startNode(dataDir: string, clock: ManualClock): Promise<Node> {
  const logger = createLogger('silent')
  const logs = await openLogManager({ dataDir, flushPolicy: 'os', clock })
  const coordination = new Coordination({ logs, clock, logger }, {
    group: { groupInitialRebalanceDelayMs: 0, offsetsTopicPartitionCount: 3 },
    transaction: { transactionStatePartitionCount: 2 },
  })
  const cluster = new Cluster({
    logs, nodeId: 1, numPartitions: 1, topicConfigDefaults: {}, appendWaiters: new AppendWaiters({ maxWaiters: 10, clock }),
    producerStateManager: coordination.producerStates, clock, logger,
  })
  await coordination.start(cluster)
  return { logs, cluster, coordination }
}

async function stopNode(node: Node): Promise<void> {
  node.coordination.close()
  await node.logs.close()
}

function batch(values: string[], producer?: { producerId: number; producerEpoch: number; baseSequence: number; isTransactional?: boolean }): Uint8Array {
  return encodeRecordBatch(createRecordBatch({
    records: values.map((value) => ({ value: Buffer.from(value) })), timestamp: START_MS,
    producerId: producer === undefined ? -1n : BigInt(producer.producerId), producerEpoch: producer?.producerEpoch ?? -1,
    baseSequence: producer?.baseSequence ?? -1, isTransactional: producer?.isTransactional ?? false,
  }))
}

function withDataDir(run: (dataDir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-coordination-'))
    try {
      await run(dataDir)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

describe('Coordination shell over a real log', () => {
  test('creates the internal topics compacted and keeps a group and its offsets across a restart', withDataDir(async (dataDir) => {
    const clock = new ManualClock(START_MS)
    let node = await startNode(dataDir, clock)
    assert.equal(node.cluster.topic('__consumer_offsets')?.partitionCount, 3)
    assert.equal(node.cluster.topic('__transaction_state')?.configs['cleanup.policy'], 'compact')
    node.cluster.createTopic({ name: 'orders', numPartitions: 2, replicationFactor: -1, assignments: [], configs: [], validateOnly: false })
    const join = { apiVersion: 9, groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscriptionTopics(['orders']) }], clientId: 'c', clientHost: '/127.0.0.1' }
    const first = await node.coordination.joinGroup({ ...join, memberId: '' })
    assert.equal(first.errorCode, ErrorCode.MemberIdRequired)
    const joining = node.coordination.joinGroup({ ...join, memberId: first.memberId })
    clock.advance(0)
    const joined = await joining
    assert.equal(joined.errorCode, ErrorCode.None)
    const synced = await node.coordination.syncGroup({ groupId: 'g', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null,
      protocolType: null, protocolName: null, assignments: [{ memberId: joined.memberId, assignment: new Uint8Array([7]) }] })
    assert.deepEqual([...synced.assignment], [7])
    node.logs.partition('orders', 1).append(batch(['a', 'b', 'c', 'd', 'e']), { nowMs: START_MS })
    const committed = await node.coordination.runGroup(node.coordination.groups.commitOffsets({ apiVersion: 8, groupId: 'g', generationId: joined.generationId,
      memberId: joined.memberId, groupInstanceId: null, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: null }] }] }, clock.nowMs()))
    assert.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.None)
    await stopNode(node)

    node = await startNode(dataDir, clock)
    const [fetched] = node.coordination.groups.fetchOffsets([{ groupId: 'g', topics: null }], false)
    assert.deepEqual(fetched.topics.map((topic) => [topic.name, topic.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset])]), [['orders', [[1, 2]]]])
    assert.deepEqual(node.coordination.consumerLag('g'), [{ topic: 'orders', partition: 1, committedOffset: 2n, highWatermark: 5n, lag: 3n }])
    assert.equal(node.coordination.groups.describeGroups(['g'], 5)[0].members.length, 1)
    // The member's session expires on the restarted node's timers.
    clock.advance(10_001)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(node.coordination.groups.describeGroups(['g'], 5)[0].groupState, 'Empty')
    await stopNode(node)
  }))

  test('idempotent produce: duplicates are found, gaps refused, state rebuilt from the log', withDataDir(async (dataDir) => {
    const clock = new ManualClock(START_MS)
    let node = await startNode(dataDir, clock)
    node.cluster.createTopic({ name: 'events', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [], validateOnly: false })
    const { producerId } = await node.coordination.runTransaction(node.coordination.transactions.initProducerId({ transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 }, clock.nowMs()))
    const first = await node.cluster.append({ topic: 'events', partition: 0, records: batch(['x', 'y'], { producerId, producerEpoch: 0, baseSequence: 0 }), acks: -1, transactionalId: null })
    assert.equal(first.errorCode, ErrorCode.None)
    const retry = await node.cluster.append({ topic: 'events', partition: 0, records: batch(['x', 'y'], { producerId, producerEpoch: 0, baseSequence: 0 }), acks: -1, transactionalId: null })
    assert.equal(retry.errorCode, ErrorCode.None)
    assert.equal(retry.baseOffset, first.baseOffset)
    const gap = await node.cluster.append({ topic: 'events', partition: 0, records: batch(['z'], { producerId, producerEpoch: 0, baseSequence: 5 }), acks: -1, transactionalId: null })
    assert.equal(gap.errorCode, ErrorCode.OutOfOrderSequenceNumber)
    assert.equal(node.logs.partition('events', 0).logEndOffset, 2n)
    await stopNode(node)

    node = await startNode(dataDir, clock)
    const afterRestart = await node.cluster.append({ topic: 'events', partition: 0, records: batch(['x', 'y'], { producerId, producerEpoch: 0, baseSequence: 0 }), acks: -1, transactionalId: null })
    assert.equal(afterRestart.baseOffset, first.baseOffset, 'the retried batch is still known after the restart')
    const next = await node.cluster.append({ topic: 'events', partition: 0, records: batch(['z'], { producerId, producerEpoch: 0, baseSequence: 2 }), acks: -1, transactionalId: null })
    assert.equal(next.errorCode, ErrorCode.None)
    assert.equal(next.baseOffset, 2n)
    await stopNode(node)
  }))

  test('transactions: markers decide visibility, the LSO waits for open ones, a timeout aborts after a restart', withDataDir(async (dataDir) => {
    const clock = new ManualClock(START_MS)
    let node = await startNode(dataDir, clock)
    node.cluster.createTopic({ name: 'out', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [], validateOnly: false })
    const { coordination } = node
    const init = await coordination.runTransaction(coordination.transactions.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 5_000, producerId: -1, producerEpoch: -1 }, clock.nowMs()))
    const producer = { producerId: init.producerId, producerEpoch: init.producerEpoch, isTransactional: true }
    const notAdded = await node.cluster.append({ topic: 'out', partition: 0, records: batch(['early'], { ...producer, baseSequence: 0 }), acks: -1, transactionalId: 'tx' })
    assert.equal(notAdded.errorCode, ErrorCode.InvalidTxnState, 'a partition must be added to the transaction first')
    const add = (): Promise<number> => coordination.runTransaction(coordination.transactions.addPartitionsToTxn({ transactionalId: 'tx', ...producer, topics: [{ name: 'out', partitions: [0] }] }, clock.nowMs()))
    const end = (committed: boolean): Promise<number> => coordination.runTransaction(coordination.transactions.endTxn({ transactionalId: 'tx', ...producer, committed }, clock.nowMs()))
    assert.equal(await add(), ErrorCode.None)
    assert.equal((await node.cluster.append({ topic: 'out', partition: 0, records: batch(['c1', 'c2'], { ...producer, baseSequence: 0 }), acks: -1, transactionalId: 'tx' })).errorCode, ErrorCode.None)
    assert.equal(coordination.producerStates.lastStableOffset('out', 0, 2n), 0n)
    assert.equal(await end(true), ErrorCode.None)
    assert.equal(coordination.transactions.describeTransactions(['tx'])[0].transactionState, 'CompleteCommit')
    assert.equal(coordination.producerStates.lastStableOffset('out', 0, 3n), 3n, 'c1 c2 and the COMMIT marker are stable')
    assert.equal(await add(), ErrorCode.None)
    await node.cluster.append({ topic: 'out', partition: 0, records: batch(['a1'], { ...producer, baseSequence: 2 }), acks: -1, transactionalId: 'tx' })
    assert.equal(await end(false), ErrorCode.None)
    assert.deepEqual(coordination.producerStates.abortedTransactions('out', 0, 0n, 5n), [{ producerId: BigInt(init.producerId), firstOffset: 3n }])
    assert.equal(await add(), ErrorCode.None)
    await node.cluster.append({ topic: 'out', partition: 0, records: batch(['open'], { ...producer, baseSequence: 3 }), acks: -1, transactionalId: 'tx' })
    await stopNode(node)

    node = await startNode(dataDir, clock)
    assert.equal(node.coordination.producerStates.lastStableOffset('out', 0, 6n), 5n, 'the open transaction holds the LSO after the restart')
    clock.advance(5_001)
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(node.coordination.transactions.describeTransactions(['tx'])[0].transactionState, 'CompleteAbort')
    const log = node.logs.partition('out', 0)
    assert.equal(node.coordination.producerStates.lastStableOffset('out', 0, log.highWatermark), log.highWatermark)
    const batches = decodeRecordBatches(log.read(0n, 1 << 20).records)
    const controls = batches.filter((stored) => isControlBatch(stored))
    assert.equal(controls.length, 3, 'COMMIT, ABORT and the timeout ABORT markers')
    const late = await node.cluster.append({ topic: 'out', partition: 0, records: batch(['zombie'], { ...producer, baseSequence: 4 }), acks: -1, transactionalId: 'tx' })
    assert.equal(late.errorCode, ErrorCode.InvalidProducerEpoch, 'the timed-out producer is fenced')
    await stopNode(node)
  }))
})

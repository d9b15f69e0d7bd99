import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'
import type { OffsetCommitRequest, OffsetCommitTopic } from './group-types.ts'

function topics(entries: Record<string, Record<number, number>>, metadata: string | null = null): OffsetCommitTopic[] {
  return Object.entries(entries).map(([name, partitions]) => ({
    name,
    partitions: Object.entries(partitions).map(([partition, offset]) => ({
      partitionIndex: Number(partition), committedOffset: offset, committedLeaderEpoch: 3, committedMetadata: metadata,
    })),
  }))
}

function commit(harness: GroupHarness, fields: Partial<OffsetCommitRequest> & { topics: OffsetCommitTopic[] }): number[] {
  const request: OffsetCommitRequest = { apiVersion: 8, groupId: 'group', generationId: -1, memberId: '', groupInstanceId: null, ...fields }
  return harness.run(harness.coordinator.commitOffsets(request, harness.now())).response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode))
}

function fetchAll(harness: GroupHarness, groupId = 'group', requireStable = false) {
  return harness.coordinator.fetchOffsets([{ groupId, topics: null }], requireStable)[0]
}

describe('OffsetCommit', () => {
  test('a simple consumer (generation -1) commits to a new Empty group and reads the offsets back', () => {
    const harness = new GroupHarness()
    assert.deepEqual(commit(harness, { topics: topics({ orders: { 0: 10, 1: 20 } }, 'meta') }), [0, 0])
    assert.equal(harness.state(), 'Empty')
    const fetched = harness.coordinator.fetchOffsets([{ groupId: 'group', topics: [{ name: 'orders', partitionIndexes: [1, 2] }] }], false)[0]
    assert.deepEqual(fetched.topics[0].partitions, [
      { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
      { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ])
    assert.equal(harness.appended.at(-1)?.records.length, 2)
  })

  test('a commit with a generation for a group that does not exist is ILLEGAL_GENERATION, or GROUP_ID_NOT_FOUND from v9', () => {
    const harness = new GroupHarness()
    assert.deepEqual(commit(harness, { generationId: 1, memberId: 'm', topics: topics({ orders: { 0: 1 } }) }), [ErrorCode.IllegalGeneration])
    assert.deepEqual(commit(harness, { apiVersion: 9, generationId: 1, memberId: 'm', topics: topics({ orders: { 0: 1 } }) }), [ErrorCode.GroupIdNotFound])
    assert.equal(harness.coordinator.listGroups().length, 0)
  })

  test('a member commits with its generation; stale generations and unknown members are rejected', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    assert.deepEqual(commit(harness, { generationId, memberId, topics: topics({ orders: { 0: 5 } }) }), [ErrorCode.None])
    assert.deepEqual(commit(harness, { generationId: generationId - 1, memberId, topics: topics({ orders: { 0: 6 } }) }), [ErrorCode.IllegalGeneration])
    assert.deepEqual(commit(harness, { generationId, memberId: 'ghost', topics: topics({ orders: { 0: 6 } }) }), [ErrorCode.UnknownMemberId])
    assert.equal(fetchAll(harness).topics[0].partitions[0].committedOffset, 5)
  })

  test('a commit without member and generation on a non-empty group is UNKNOWN_MEMBER_ID', () => {
    const harness = new GroupHarness()
    harness.stableSingleMember()
    assert.deepEqual(commit(harness, { topics: topics({ orders: { 0: 5 } }) }), [ErrorCode.UnknownMemberId])
  })

  test('a commit during CompletingRebalance is REBALANCE_IN_PROGRESS; during PreparingRebalance it is accepted', () => {
    const harness = new GroupHarness()
    const { requestId, memberId } = harness.joinNew()
    const generationId = harness.joinResponse(requestId).generationId
    assert.equal(harness.state(), 'CompletingRebalance')
    assert.deepEqual(commit(harness, { generationId, memberId, topics: topics({ orders: { 0: 5 } }) }), [ErrorCode.RebalanceInProgress])
    harness.sync({ memberId, generationId })
    harness.joinNew() // someone new: PreparingRebalance, the member still has its generation
    assert.equal(harness.state(), 'PreparingRebalance')
    assert.deepEqual(commit(harness, { generationId, memberId, topics: topics({ orders: { 0: 7 } }) }), [ErrorCode.None])
  })

  test('committing refreshes the member session like a heartbeat', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    for (let i = 0; i < 3; i++) {
      harness.advance(9_000)
      commit(harness, { generationId, memberId, topics: topics({ orders: { 0: i } }) })
    }
    assert.equal(harness.state(), 'Stable')
  })

  test('metadata longer than offset.metadata.max.bytes fails that partition with OFFSET_METADATA_TOO_LARGE', () => {
    const harness = new GroupHarness({ offsetMetadataMaxBytes: 4 })
    const request = topics({ orders: { 0: 1 } }, 'too long')
    request.push(...topics({ payments: { 0: 2 } }, 'ok'))
    assert.deepEqual(commit(harness, { topics: request }), [ErrorCode.OffsetMetadataTooLarge, ErrorCode.None])
  })
})

describe('OffsetFetch', () => {
  test('topics null returns every committed partition; several groups are answered at once', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 1, 1: 2 }, payments: { 3: 4 } }) })
    commit(harness, { groupId: 'other', topics: topics({ audit: { 0: 9 } }) })
    const [first, second, missing] = harness.coordinator.fetchOffsets(
      [{ groupId: 'group', topics: null }, { groupId: 'other', topics: null }, { groupId: 'missing', topics: null }], false)
    assert.deepEqual(first.topics.map((topic) => [topic.name, topic.partitions.map((partition) => partition.committedOffset)]), [['orders', [1, 2]], ['payments', [4]]])
    assert.deepEqual(second.topics.map((topic) => topic.name), ['audit'])
    assert.deepEqual(missing, { groupId: 'missing', errorCode: 0, topics: [] })
  })
})

describe('transactional offsets', () => {
  const txnCommit = (harness: GroupHarness, offset: number, producerId = 77) => harness.run(harness.coordinator.commitTransactionalOffsets({
    transactionalId: 'tx', groupId: 'group', producerId, producerEpoch: 2, generationId: -1, memberId: '', groupInstanceId: null,
    topics: topics({ orders: { 0: offset } }),
  }, harness.now())).response

  test('TxnOffsetCommit offsets stay invisible until the commit marker, and requireStable reports UNSTABLE_OFFSET_COMMIT', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 1 } }) })
    assert.equal(txnCommit(harness, 50).topics[0].partitions[0].errorCode, ErrorCode.None)
    assert.deepEqual(harness.appended.at(-1)?.transaction, { producerId: 77, producerEpoch: 2 })
    assert.equal(fetchAll(harness).topics[0].partitions[0].committedOffset, 1)
    assert.equal(fetchAll(harness, 'group', true).topics[0].partitions[0].errorCode, ErrorCode.UnstableOffsetCommit)
    harness.marker(77, true)
    assert.equal(fetchAll(harness, 'group', true).topics[0].partitions[0].committedOffset, 50)
  })

  test('an abort marker discards pending transactional offsets', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 1 } }) })
    txnCommit(harness, 50)
    harness.marker(77, false)
    const partition = fetchAll(harness, 'group', true).topics[0].partitions[0]
    assert.equal(partition.committedOffset, 1)
    assert.equal(partition.errorCode, ErrorCode.None)
  })

  test('TxnOffsetCommit v3+ validates member and generation but not the group state', () => {
    const harness = new GroupHarness()
    const { requestId, memberId } = harness.joinNew()
    const generationId = harness.joinResponse(requestId).generationId
    const result = (fields: { generationId: number; memberId: string }) => harness.coordinator.commitTransactionalOffsets({
      transactionalId: 'tx', groupId: 'group', producerId: 1, producerEpoch: 0, groupInstanceId: null, topics: topics({ orders: { 0: 3 } }), ...fields,
    }, harness.now()).response.topics[0].partitions[0].errorCode
    assert.equal(result({ generationId, memberId }), ErrorCode.None, 'accepted during CompletingRebalance')
    assert.equal(result({ generationId: generationId + 1, memberId }), ErrorCode.IllegalGeneration)
    assert.equal(result({ generationId, memberId: 'ghost' }), ErrorCode.UnknownMemberId)
  })
})

describe('OffsetDelete', () => {
  test('offsets of an Empty group are deleted with tombstones', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 1, 1: 2 } }) })
    const result = harness.run(harness.coordinator.deleteOffsets({ groupId: 'group', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] }, harness.now())).response
    assert.equal(result.errorCode, ErrorCode.None)
    assert.deepEqual(fetchAll(harness).topics[0].partitions.map((partition) => partition.partitionIndex), [1])
    assert.equal(harness.appended.at(-1)?.records[0].value, null)
  })

  test('an active consumer group cannot delete offsets of a subscribed topic (GROUP_SUBSCRIBED_TO_TOPIC)', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember({ protocols: rangeProtocol(['orders']) })
    commit(harness, { generationId, memberId, topics: topics({ orders: { 0: 1 }, old: { 0: 2 } }) })
    const result = harness.coordinator.deleteOffsets({
      groupId: 'group', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }],
    }, harness.now()).response
    assert.deepEqual(result.topics.map((topic) => topic.partitions[0].errorCode), [ErrorCode.GroupSubscribedToTopic, ErrorCode.None])
    assert.deepEqual(fetchAll(harness).topics.map((topic) => topic.name), ['orders'])
  })

  test('OffsetDelete on a missing group is GROUP_ID_NOT_FOUND; on an active non-consumer group NON_EMPTY_GROUP', () => {
    const harness = new GroupHarness()
    assert.equal(harness.coordinator.deleteOffsets({ groupId: 'nope', topics: [] }, harness.now()).response.errorCode, ErrorCode.GroupIdNotFound)
    harness.stableSingleMember({ protocolType: 'connect' })
    assert.equal(harness.coordinator.deleteOffsets({ groupId: 'group', topics: [] }, harness.now()).response.errorCode, ErrorCode.NonEmptyGroup)
  })
})

describe('offset retention', () => {
  const retention = { offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 }

  test('offsets of a group expire once it has been Empty for offsets.retention, then the group is deleted', () => {
    const harness = new GroupHarness(retention)
    harness.run(harness.coordinator.activate(harness.now()))
    const { memberId, generationId } = harness.stableSingleMember()
    commit(harness, { generationId, memberId, topics: topics({ orders: { 0: 1 } }) })
    for (let i = 0; i < 12; i++) {
      harness.advance(9_000)
      harness.heartbeat(memberId, generationId)
    }
    assert.equal(fetchAll(harness).topics.length, 1, 'kept while the group is active')
    harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId, groupInstanceId: null }] }, harness.now()))
    harness.advance(50_000)
    assert.equal(fetchAll(harness).topics.length, 1, 'kept until the group has been Empty for the retention')
    harness.advance(20_000)
    assert.equal(fetchAll(harness).topics.length, 0)
    assert.deepEqual(harness.coordinator.listGroups(), [])
  })

  test('offsets of a simple consumer expire by commit time', () => {
    const harness = new GroupHarness(retention)
    harness.run(harness.coordinator.activate(harness.now()))
    commit(harness, { topics: topics({ orders: { 0: 1 } }) })
    harness.advance(30_000)
    commit(harness, { topics: topics({ payments: { 0: 1 } }) })
    harness.advance(40_000)
    assert.deepEqual(fetchAll(harness).topics.map((topic) => topic.name), ['payments'])
  })

  test('committedOffsets lists a group offsets for lag computation', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 10, 1: 20 } }) })
    assert.deepEqual(harness.coordinator.committedOffsets('group').map((offset) => [offset.topic, offset.partition, offset.offset]), [['orders', 0, 10], ['orders', 1, 20]])
    assert.deepEqual(harness.coordinator.committedOffsets('missing'), [])
  })

  test('deleting a topic removes its offsets from every group, durably', () => {
    const harness = new GroupHarness()
    commit(harness, { topics: topics({ orders: { 0: 1 }, payments: { 0: 2 } }) })
    commit(harness, { groupId: 'other', topics: topics({ orders: { 5: 3 } }) })
    harness.run(harness.coordinator.onTopicsDeleted(['orders'], harness.now()))
    harness.restart()
    assert.deepEqual(harness.coordinator.committedOffsets('group').map((offset) => offset.topic), ['payments'])
    assert.deepEqual(harness.coordinator.committedOffsets('other'), [])
  })
})

// The group APIs over a real socket with our own codecs, version by version: FindCoordinator
// (single and batched v4+ keys), the JoinGroup/SyncGroup/Heartbeat/LeaveGroup cycle (v0 and
// current versions), OffsetCommit/OffsetFetch (single group and multi-group v8+),
// DescribeGroups, ListGroups, OffsetDelete and DeleteGroups.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type {
  DeleteGroupsResponse, DescribeGroupsResponse, FindCoordinatorResponse, HeartbeatResponse, JoinGroupResponse, LeaveGroupResponse,
  ListGroupsResponse, OffsetCommitResponse, OffsetDeleteResponse, OffsetFetchResponse, SyncGroupResponse,
} from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { startCoordinatedBroker } from './eos-fixtures.ts'

const subscription = new Uint8Array([0, 0, 0, 0, 0, 1, 0, 6, ...Buffer.from('orders'), 0, 0, 0, 0])

function joinRequest(memberId: string, groupId = 'wire-group') {
  return { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], reason: null }
}

function commitRequest(groupId: string, generationId: number, memberId: string, offset: bigint) {
  return {
    groupId, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'meta' }] }],
  }
}

test('group APIs over the wire', async () => {
  const broker = await startCoordinatedBroker()
  const client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: 'orders', numPartitions: 2 }]))

    const single = await client.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 3, { key: 'wire-group', keyType: 0, coordinatorKeys: [] })
    assert.deepEqual([single.errorCode, single.nodeId, single.host, single.port], [ErrorCode.None, broker.nodeId, '127.0.0.1', broker.port])
    const batched = await client.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4, { key: '', keyType: 1, coordinatorKeys: ['tx-a', 'tx-b', ''] })
    assert.deepEqual(batched.coordinators.map((found) => [found.key, found.errorCode, found.nodeId]), [['tx-a', 0, broker.nodeId], ['tx-b', 0, broker.nodeId], ['', ErrorCode.InvalidRequest, -1]])
    const badType = await client.request<FindCoordinatorResponse>(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 7, coordinatorKeys: [] })
    assert.equal(badType.errorCode, ErrorCode.InvalidRequest)

    // JoinGroup v5+: MEMBER_ID_REQUIRED, then the real join; the lone member leads.
    const required = await client.request<JoinGroupResponse>(ApiKey.JoinGroup, 9, joinRequest(''))
    assert.equal(required.errorCode, ErrorCode.MemberIdRequired)
    assert.match(required.memberId, /.+/)
    const joined = await client.request<JoinGroupResponse>(ApiKey.JoinGroup, 9, joinRequest(required.memberId))
    assert.deepEqual([joined.errorCode, joined.leader, joined.memberId, joined.protocolName, joined.members.length], [0, required.memberId, required.memberId, 'range', 1])
    const assignment = new Uint8Array([0, 0, 0, 0, 0, 1, 0, 6, ...Buffer.from('orders'), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
    const synced = await client.request<SyncGroupResponse>(ApiKey.SyncGroup, 5, {
      groupId: 'wire-group', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment }],
    })
    assert.equal(synced.errorCode, ErrorCode.None)
    assert.deepEqual([...synced.assignment], [...assignment])
    const beat = await client.request<HeartbeatResponse>(ApiKey.Heartbeat, 4, { groupId: 'wire-group', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null })
    assert.equal(beat.errorCode, ErrorCode.None)
    const staleBeat = await client.request<HeartbeatResponse>(ApiKey.Heartbeat, 0, { groupId: 'wire-group', generationId: joined.generationId + 5, memberId: joined.memberId, groupInstanceId: null })
    assert.equal(staleBeat.errorCode, ErrorCode.IllegalGeneration)

    const committed = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitRequest('wire-group', joined.generationId, joined.memberId, 42n))
    assert.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.None)
    const wrongGeneration = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 8, commitRequest('wire-group', joined.generationId + 1, joined.memberId, 43n))
    assert.equal(wrongGeneration.topics[0].partitions[0].errorCode, ErrorCode.IllegalGeneration)
    const simple = await client.request<OffsetCommitResponse>(ApiKey.OffsetCommit, 2, commitRequest('simple-group', -1, '', 7n))
    assert.equal(simple.topics[0].partitions[0].errorCode, ErrorCode.None)

    const fetchedOne = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId: 'wire-group', topics: null, groups: [], requireStable: true })
    assert.deepEqual(fetchedOne.topics.map((topic) => [topic.name, topic.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset, partition.metadata])]), [['orders', [[0, 42n, 'meta']]]])
    const fetchedV1 = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 1, { groupId: 'wire-group', topics: [{ name: 'orders', partitionIndexes: [0, 1] }], groups: [], requireStable: false })
    assert.deepEqual(fetchedV1.topics[0].partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]), [[0, 42n], [1, -1n]])
    const fetchedMany = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 8, {
      groupId: '', topics: [], requireStable: false,
      groups: [{ groupId: 'wire-group', memberId: null, memberEpoch: -1, topics: null }, { groupId: 'simple-group', memberId: null, memberEpoch: -1, topics: [{ name: 'orders', partitionIndexes: [0] }] }, { groupId: 'nobody', memberId: null, memberEpoch: -1, topics: null }],
    })
    assert.deepEqual(fetchedMany.groups.map((group) => [group.groupId, group.errorCode, group.topics.flatMap((topic) => topic.partitions.map((partition) => partition.committedOffset))]),
      [['wire-group', 0, [42n]], ['simple-group', 0, [7n]], ['nobody', 0, []]])

    const described = await client.request<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, { groups: ['wire-group', 'nobody'], includeAuthorizedOperations: false })
    assert.deepEqual(described.groups.map((group) => [group.groupId, group.groupState, group.protocolData, group.members.map((member) => member.memberId)]),
      [['wire-group', 'Stable', 'range', [joined.memberId]], ['nobody', 'Dead', '', []]])
    assert.deepEqual([...described.groups[0].members[0].memberAssignment], [...assignment])
    const listed = await client.request<ListGroupsResponse>(ApiKey.ListGroups, 4, { statesFilter: ['Stable'], typesFilter: [] })
    assert.deepEqual(listed.groups.map((group) => [group.groupId, group.groupState]), [['wire-group', 'Stable']])
    const listedAll = await client.request<ListGroupsResponse>(ApiKey.ListGroups, 0, { statesFilter: [], typesFilter: [] })
    assert.deepEqual(listedAll.groups.map((group) => group.groupId).sort(), ['simple-group', 'wire-group'])

    const busy = await client.request<DeleteGroupsResponse>(ApiKey.DeleteGroups, 2, { groupsNames: ['wire-group'] })
    assert.equal(busy.results[0].errorCode, ErrorCode.NonEmptyGroup)
    const left = await client.request<LeaveGroupResponse>(ApiKey.LeaveGroup, 5, { groupId: 'wire-group', memberId: '', members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'test' }, { memberId: 'ghost', groupInstanceId: null, reason: null }] })
    assert.deepEqual([left.errorCode, ...left.members.map((member) => member.errorCode)], [0, 0, ErrorCode.UnknownMemberId])
    const offsetDeleted = await client.request<OffsetDeleteResponse>(ApiKey.OffsetDelete, 0, { groupId: 'wire-group', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] })
    assert.deepEqual([offsetDeleted.errorCode, offsetDeleted.topics[0].partitions[0].errorCode], [0, 0])
    const afterDelete = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 5, { groupId: 'wire-group', topics: null, groups: [], requireStable: false })
    assert.deepEqual(afterDelete.topics, [])
    const deleted = await client.request<DeleteGroupsResponse>(ApiKey.DeleteGroups, 0, { groupsNames: ['wire-group', 'nobody'] })
    assert.deepEqual(deleted.results.map((result) => [result.groupId, result.errorCode]), [['wire-group', 0], ['nobody', ErrorCode.GroupIdNotFound]])

    // JoinGroup v0 (no member id round trip) and LeaveGroup v0 (one member, top-level error).
    const oldJoin = await client.request<JoinGroupResponse>(ApiKey.JoinGroup, 0, { ...joinRequest('', 'old-group'), rebalanceTimeoutMs: -1 })
    assert.equal(oldJoin.errorCode, ErrorCode.None)
    assert.equal(oldJoin.leader, oldJoin.memberId)
    const oldLeave = await client.request<LeaveGroupResponse>(ApiKey.LeaveGroup, 0, { groupId: 'old-group', memberId: oldJoin.memberId, members: [] })
    assert.equal(oldLeave.errorCode, ErrorCode.None)
    const unknownLeave = await client.request<LeaveGroupResponse>(ApiKey.LeaveGroup, 1, { groupId: 'old-group', memberId: 'ghost', members: [] })
    assert.equal(unknownLeave.errorCode, ErrorCode.UnknownMemberId)
  } finally {
    client.close()
    await broker.destroy()
  }
})

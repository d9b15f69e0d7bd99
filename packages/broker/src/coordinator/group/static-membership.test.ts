import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'
import { decodeGroupRecord } from './group-records.ts'

function stableStaticPair(harness: GroupHarness) {
  const leaderJoin = harness.join({ groupInstanceId: 'instance-a' })
  const followerJoin = harness.join({ groupInstanceId: 'instance-b' })
  harness.advance(200)
  const leader = harness.joinResponse(leaderJoin)
  const follower = harness.joinResponse(followerJoin)
  harness.sync({
    memberId: leader.memberId, generationId: 1, groupInstanceId: 'instance-a',
    assignments: [{ memberId: leader.memberId, assignment: new Uint8Array([1]) }, { memberId: follower.memberId, assignment: new Uint8Array([2]) }],
  })
  harness.sync({ memberId: follower.memberId, generationId: 1, groupInstanceId: 'instance-b' })
  assert.equal(harness.state(), 'Stable')
  return { leaderId: leader.memberId, followerId: follower.memberId }
}

describe('static membership (KIP-345)', () => {
  test('a static member joins without MEMBER_ID_REQUIRED, its member id prefixed by group.instance.id', () => {
    const harness = new GroupHarness()
    const response = harness.joinResponse(harness.join({ apiVersion: 9, groupInstanceId: 'instance-a' }))
    assert.equal(response.errorCode, ErrorCode.None)
    assert.equal(response.memberId, 'instance-a-1')
  })

  test('a static follower rejoining with unknown member id while Stable gets a new id without a rebalance and keeps its assignment', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const { leaderId, followerId } = stableStaticPair(harness)
    const appendedBefore = harness.appended.length
    const rejoin = harness.joinResponse(harness.join({ groupInstanceId: 'instance-b' }))
    assert.equal(rejoin.errorCode, ErrorCode.None)
    assert.notEqual(rejoin.memberId, followerId)
    assert.equal(rejoin.generationId, 1)
    assert.equal(rejoin.leader, leaderId)
    assert.equal(harness.state(), 'Stable')
    const sync = harness.syncResponse(harness.sync({ memberId: rejoin.memberId, generationId: 1, groupInstanceId: 'instance-b' }))
    assert.deepEqual(sync.assignment, new Uint8Array([2]))
    // The new member id is persisted.
    const stored = decodeGroupRecord(harness.appended[appendedBefore].records[0])
    assert.ok(stored.type === 'groupMetadata' && stored.value !== null)
    assert.ok(stored.value.members.some((member) => member.memberId === rejoin.memberId))
  })

  test('the old member id of a replaced static member is fenced with FENCED_INSTANCE_ID', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const { followerId } = stableStaticPair(harness)
    harness.join({ groupInstanceId: 'instance-b' })
    assert.equal(harness.heartbeat(followerId, 1, 'instance-b'), ErrorCode.FencedInstanceId)
    assert.equal(harness.syncResponse(harness.sync({ memberId: followerId, generationId: 1, groupInstanceId: 'instance-b' })).errorCode, ErrorCode.FencedInstanceId)
    assert.equal(harness.joinResponse(harness.join({ memberId: followerId, groupInstanceId: 'instance-b' })).errorCode, ErrorCode.FencedInstanceId)
    const commit = harness.coordinator.commitOffsets({
      apiVersion: 8, groupId: 'group', generationId: 1, memberId: followerId, groupInstanceId: 'instance-b',
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }, harness.now()).response
    assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.FencedInstanceId)
  })

  test('a static leader rejoining while Stable before JoinGroup v9 is told the old leader id, so it does not assign', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const { leaderId } = stableStaticPair(harness)
    const rejoin = harness.joinResponse(harness.join({ apiVersion: 8, groupInstanceId: 'instance-a' }))
    assert.equal(rejoin.leader, leaderId)
    assert.notEqual(rejoin.memberId, leaderId)
    assert.equal(rejoin.skipAssignment, false)
    assert.deepEqual(rejoin.members, [])
    assert.equal(harness.state(), 'Stable')
  })

  test('a static leader rejoining while Stable with JoinGroup v9 is told it leads with skipAssignment', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    stableStaticPair(harness)
    const rejoin = harness.joinResponse(harness.join({ apiVersion: 9, groupInstanceId: 'instance-a' }))
    assert.equal(rejoin.leader, rejoin.memberId)
    assert.equal(rejoin.skipAssignment, true)
    assert.equal(rejoin.members.length, 2)
    assert.equal(harness.state(), 'Stable')
  })

  test('a static member rejoining with a protocol that changes the group selection triggers a rebalance', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const one = harness.join({ groupInstanceId: 'solo', protocols: [{ name: 'range', metadata: new Uint8Array() }, { name: 'sticky', metadata: new Uint8Array() }] })
    harness.advance(100)
    const memberId = harness.joinResponse(one).memberId
    harness.sync({ memberId, generationId: 1, groupInstanceId: 'solo' })
    const rejoin = harness.join({ groupInstanceId: 'solo', protocols: [{ name: 'sticky', metadata: new Uint8Array() }] })
    const response = harness.joinResponse(rejoin)
    assert.equal(response.generationId, 2)
    assert.equal(response.protocolName, 'sticky')
  })

  test('a static member rejoining with unknown member id during CompletingRebalance restarts the rebalance', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const aJoin = harness.join({ groupInstanceId: 'instance-a' })
    const bJoin = harness.join({ groupInstanceId: 'instance-b' })
    harness.advance(200)
    const oldB = harness.joinResponse(bJoin).memberId
    const waitingSync = harness.sync({ memberId: oldB, generationId: 1, groupInstanceId: 'instance-b' })
    const rejoin = harness.join({ groupInstanceId: 'instance-b' })
    assert.equal(harness.syncResponse(waitingSync).errorCode, ErrorCode.FencedInstanceId)
    assert.equal(harness.state(), 'PreparingRebalance')
    harness.join({ memberId: harness.joinResponse(aJoin).memberId, groupInstanceId: 'instance-a' })
    assert.equal(harness.joinResponse(rejoin).generationId, 2)
  })

  test('a static member that does not rejoin in time stays in the group while a dynamic one is dropped', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const staticJoin = harness.join({ groupInstanceId: 'static', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 60_000 })
    const dynamic = harness.joinNew({ rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 60_000 })
    const third = harness.joinNew({ rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 60_000 })
    harness.advance(200)
    const staticId = harness.joinResponse(staticJoin).memberId
    for (const memberId of [staticId, dynamic.memberId, third.memberId]) harness.sync({ memberId, generationId: 1, groupInstanceId: memberId === staticId ? 'static' : null })
    const rejoin = harness.join({ memberId: third.memberId, protocols: rangeProtocol(['changed']), rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 60_000 })
    harness.advance(10_000)
    const members = harness.joinResponse(rejoin).members.map((member) => member.memberId).sort()
    assert.deepEqual(members, [staticId, third.memberId].sort())
  })

  test('a static member is removed when its session times out', () => {
    const harness = new GroupHarness()
    const joined = harness.join({ groupInstanceId: 'instance-a' })
    const memberId = harness.joinResponse(joined).memberId
    harness.sync({ memberId, generationId: 1, groupInstanceId: 'instance-a' })
    harness.advance(10_000)
    assert.equal(harness.state(), 'Empty')
    assert.equal(harness.heartbeat(memberId, 1, 'instance-a'), ErrorCode.UnknownMemberId)
  })

  test('LeaveGroup by group.instance.id alone removes the static member', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    stableStaticPair(harness)
    const result = harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId: '', groupInstanceId: 'instance-b' }, { memberId: '', groupInstanceId: 'nobody' }] }, harness.now())).response
    assert.deepEqual(result.members.map((member) => member.errorCode), [ErrorCode.None, ErrorCode.UnknownMemberId])
    assert.equal(harness.state(), 'PreparingRebalance')
  })

  test('a static member with an unknown instance id and a member id gets UNKNOWN_MEMBER_ID', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const { leaderId } = stableStaticPair(harness)
    assert.equal(harness.heartbeat(leaderId, 1, 'instance-z'), ErrorCode.UnknownMemberId)
  })

  test('a static member rejoining with unknown member id during PreparingRebalance fences its old JoinGroup and joins under the new id', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const joins = ['a', 'b', 'c'].map((instance) => harness.join({ groupInstanceId: instance }))
    harness.advance(200)
    const [a, b, c] = joins.map((requestId) => harness.joinResponse(requestId).memberId)
    for (const [memberId, instance] of [[a, 'a'], [b, 'b'], [c, 'c']]) harness.sync({ memberId, generationId: 1, groupInstanceId: instance })
    assert.equal(harness.state(), 'Stable')
    const leaderRejoin = harness.join({ memberId: a, groupInstanceId: 'a' })
    const oldB = harness.join({ memberId: b, groupInstanceId: 'b' })
    assert.equal(harness.state(), 'PreparingRebalance', 'c has not rejoined yet')
    const newB = harness.join({ groupInstanceId: 'b' })
    assert.equal(harness.joinResponse(oldB).errorCode, ErrorCode.FencedInstanceId)
    assert.equal(harness.joinResponses.has(newB), false)
    harness.join({ memberId: c, groupInstanceId: 'c' })
    const response = harness.joinResponse(newB)
    assert.equal(response.generationId, 2)
    assert.notEqual(response.memberId, b)
    assert.deepEqual(harness.joinResponse(leaderRejoin).members.map((member) => member.groupInstanceId).sort(), ['a', 'b', 'c'])
    assert.ok(harness.joinResponse(leaderRejoin).members.some((member) => member.memberId === response.memberId))
  })
})

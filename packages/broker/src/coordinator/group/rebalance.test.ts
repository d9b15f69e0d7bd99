import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'
import { encodeSubscriptionTopics } from './consumer-protocol.ts'
import { decodeGroupRecord } from './group-records.ts'

describe('rebalancing', () => {
  test('a member that does not rejoin within the rebalance timeout is dropped when the join phase completes', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew({ rebalanceTimeoutMs: 15_000 })
    const follower = harness.joinNew({ rebalanceTimeoutMs: 15_000 })
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1 })
    harness.sync({ memberId: follower.memberId, generationId: 1 })
    const rejoin = harness.join({ memberId: leader.memberId, rebalanceTimeoutMs: 15_000 })
    for (let elapsed = 0; elapsed < 15_000; elapsed += 5_000) {
      harness.heartbeat(follower.memberId, 1) // alive, but never rejoins
      harness.advance(5_000)
    }
    const response = harness.joinResponse(rejoin)
    assert.equal(response.generationId, 2)
    assert.deepEqual(response.members.map((member) => member.memberId), [leader.memberId])
    assert.equal(harness.heartbeat(follower.memberId, 1), ErrorCode.UnknownMemberId)
  })

  test('the leader rejoining a Stable group triggers a rebalance even with unchanged metadata', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    const rejoin = harness.join({ memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, generationId + 1)
  })

  test('a follower rejoining a Stable group with unchanged metadata gets the current generation without a rebalance', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1 })
    harness.sync({ memberId: follower.memberId, generationId: 1 })
    const response = harness.joinResponse(harness.join({ memberId: follower.memberId }))
    assert.equal(response.errorCode, ErrorCode.None)
    assert.equal(response.generationId, 1)
    assert.equal(response.leader, leader.memberId)
    assert.deepEqual(response.members, [])
    assert.equal(harness.state(), 'Stable')
  })

  test('a follower rejoining a Stable group with changed metadata triggers a rebalance', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1 })
    harness.sync({ memberId: follower.memberId, generationId: 1 })
    const rejoin = harness.join({ memberId: follower.memberId, protocols: rangeProtocol(['orders', 'payments']) })
    assert.equal(harness.state(), 'PreparingRebalance')
    assert.equal(harness.heartbeat(leader.memberId, 1), ErrorCode.RebalanceInProgress)
    const leaderRejoin = harness.join({ memberId: leader.memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, 2)
    const members = harness.joinResponse(leaderRejoin).members
    assert.deepEqual(members.find((member) => member.memberId === follower.memberId)?.metadata, encodeSubscriptionTopics(['orders', 'payments']))
  })

  test('JoinGroup during CompletingRebalance with the same metadata returns the current generation', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    const again = harness.joinResponse(harness.join({ memberId: leader.memberId }))
    assert.equal(again.generationId, 1)
    assert.equal(again.members.length, 2, 'the leader gets the member list again')
    const followerAgain = harness.joinResponse(harness.join({ memberId: follower.memberId }))
    assert.deepEqual(followerAgain.members, [])
    assert.equal(harness.state(), 'CompletingRebalance')
  })

  test('JoinGroup during CompletingRebalance with changed metadata restarts the rebalance and fails waiting SyncGroups', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    const waitingSync = harness.sync({ memberId: follower.memberId, generationId: 1 })
    const rejoin = harness.join({ memberId: leader.memberId, protocols: rangeProtocol(['other']) })
    assert.equal(harness.syncResponse(waitingSync).errorCode, ErrorCode.RebalanceInProgress)
    assert.equal(harness.state(), 'PreparingRebalance')
    harness.join({ memberId: follower.memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, 2)
  })

  test('a new member joining during CompletingRebalance restarts the rebalance and fails waiting SyncGroups', () => {
    const harness = new GroupHarness()
    const first = harness.joinNew()
    const generationId = harness.joinResponse(first.requestId).generationId
    assert.equal(harness.state(), 'CompletingRebalance')
    const followerless = harness.sync({ memberId: first.memberId, generationId: 999 })
    assert.equal(harness.syncResponse(followerless).errorCode, ErrorCode.IllegalGeneration)
    const second = harness.joinNew()
    assert.equal(harness.state(), 'PreparingRebalance')
    const rejoin = harness.join({ memberId: first.memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, generationId + 1)
    assert.equal(harness.joinResponse(second.requestId).generationId, generationId + 1)
  })

  test('a new member joining a Stable group makes every member rejoin', () => {
    const harness = new GroupHarness()
    const first = harness.stableSingleMember()
    const second = harness.joinNew()
    assert.equal(harness.joinResponses.has(second.requestId), false)
    assert.equal(harness.heartbeat(first.memberId, first.generationId), ErrorCode.RebalanceInProgress)
    const rejoin = harness.join({ memberId: first.memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, 2)
    assert.equal(harness.joinResponse(second.requestId).generationId, 2)
    assert.equal(harness.joinResponse(rejoin).members.length, 2)
  })

  test('a new member whose JoinGroup waits longer than the new-member timeout is dropped with UNKNOWN_MEMBER_ID', () => {
    const harness = new GroupHarness({ newMemberJoinTimeoutMs: 20_000 })
    const first = harness.stableSingleMember({ rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 30_000 })
    const second = harness.joinNew({ rebalanceTimeoutMs: 60_000 })
    for (let elapsed = 0; elapsed < 20_000; elapsed += 5_000) {
      harness.heartbeat(first.memberId, first.generationId)
      harness.advance(5_000)
    }
    assert.equal(harness.joinResponse(second.requestId).errorCode, ErrorCode.UnknownMemberId)
  })
})

describe('LeaveGroup', () => {
  test('LeaveGroup v3 removes a batch of members and reports unknown ones', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const a = harness.joinNew()
    const b = harness.joinNew()
    const c = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    const result = harness.run(harness.coordinator.leaveGroup({
      groupId: 'group',
      members: [{ memberId: a.memberId, groupInstanceId: null }, { memberId: b.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }],
    }, harness.now())).response
    assert.equal(result.errorCode, ErrorCode.None)
    assert.deepEqual(result.members.map((member) => member.errorCode), [ErrorCode.None, ErrorCode.None, ErrorCode.UnknownMemberId])
    assert.equal(harness.state(), 'PreparingRebalance')
    const rejoin = harness.join({ memberId: c.memberId })
    assert.equal(harness.joinResponse(rejoin).leader, c.memberId)
    assert.equal(harness.joinResponse(rejoin).members.length, 1)
  })

  test('the last member leaving makes the group Empty after the rebalance, with a new generation stored', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId, groupInstanceId: null }] }, harness.now()))
    assert.equal(harness.state(), 'Empty')
    const last = harness.appended.at(-1)?.records.at(-1)
    assert.ok(last !== undefined)
    const decoded = decodeGroupRecord(last)
    assert.ok(decoded.type === 'groupMetadata' && decoded.value !== null)
    assert.equal(decoded.value.generationId, generationId + 1)
    assert.deepEqual(decoded.value.members, [])
  })

  test('a pending member (after MEMBER_ID_REQUIRED) can leave', () => {
    const harness = new GroupHarness()
    const pending = harness.joinResponse(harness.join()).memberId
    const result = harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId: pending, groupInstanceId: null }] }, harness.now())).response
    assert.equal(result.members[0].errorCode, ErrorCode.None)
    assert.equal(harness.joinResponse(harness.join({ memberId: pending })).errorCode, ErrorCode.UnknownMemberId)
  })

  test('LeaveGroup for a missing group reports UNKNOWN_MEMBER_ID per member; an empty group id is INVALID_GROUP_ID', () => {
    const harness = new GroupHarness()
    const result = harness.coordinator.leaveGroup({ groupId: 'nope', members: [{ memberId: 'm', groupInstanceId: null }] }, harness.now()).response
    assert.equal(result.members[0].errorCode, ErrorCode.UnknownMemberId)
    assert.equal(harness.coordinator.leaveGroup({ groupId: '', members: [] }, harness.now()).response.errorCode, ErrorCode.InvalidGroupId)
  })

  test('a member waiting in JoinGroup that leaves gets UNKNOWN_MEMBER_ID for its JoinGroup', () => {
    const harness = new GroupHarness()
    const first = harness.stableSingleMember()
    const second = harness.joinNew()
    harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId: second.memberId, groupInstanceId: null }] }, harness.now()))
    assert.equal(harness.joinResponse(second.requestId).errorCode, ErrorCode.UnknownMemberId)
    const rejoin = harness.join({ memberId: first.memberId })
    assert.equal(harness.joinResponse(rejoin).members.length, 1)
  })
})

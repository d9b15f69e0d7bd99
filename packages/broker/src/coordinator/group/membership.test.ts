import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'
import { encodeSubscriptionTopics } from './consumer-protocol.ts'
import { decodeGroupRecord } from './group-records.ts'

describe('JoinGroup', () => {
  test('JoinGroup v4 without member id returns MEMBER_ID_REQUIRED with a generated member id', () => {
    const harness = new GroupHarness()
    const response = harness.joinResponse(harness.join({ apiVersion: 4, clientId: 'app' }))
    assert.equal(response.errorCode, ErrorCode.MemberIdRequired)
    assert.equal(response.memberId, 'app-1')
    assert.equal(response.generationId, -1)
    assert.equal(harness.state(), 'Empty')
  })

  test('JoinGroup v3 without member id joins directly with a generated member id', () => {
    const harness = new GroupHarness()
    const response = harness.joinResponse(harness.join({ apiVersion: 3, clientId: 'app' }))
    assert.equal(response.errorCode, ErrorCode.None)
    assert.equal(response.memberId, 'app-1')
    assert.equal(response.generationId, 1)
    assert.equal(response.leader, 'app-1')
  })

  test('the first join completes only after group.initial.rebalance.delay.ms', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 3_000 })
    const { requestId, memberId } = harness.joinNew()
    assert.equal(harness.state(), 'PreparingRebalance')
    harness.advance(2_999)
    assert.equal(harness.joinResponses.has(requestId), false)
    harness.advance(1)
    const response = harness.joinResponse(requestId)
    assert.equal(response.errorCode, ErrorCode.None)
    assert.equal(response.generationId, 1)
    assert.equal(response.leader, memberId)
    assert.deepEqual(response.members.map((member) => member.memberId), [memberId])
    assert.equal(harness.state(), 'CompletingRebalance')
  })

  test('the initial delay is extended while new members keep arriving, bounded by the rebalance timeout', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 3_000 })
    const first = harness.joinNew({ rebalanceTimeoutMs: 7_000 })
    harness.advance(2_000)
    const second = harness.joinNew({ rebalanceTimeoutMs: 7_000 })
    harness.advance(1_000) // first delay ends, a member was added: extend by min(3000, 4000)
    assert.equal(harness.joinResponses.has(first.requestId), false)
    harness.advance(2_000)
    const third = harness.joinNew({ rebalanceTimeoutMs: 7_000 })
    harness.advance(1_000) // second delay ends, a member was added: extend by the remaining 1000
    assert.equal(harness.joinResponses.has(first.requestId), false)
    harness.advance(1_000)
    for (const { requestId } of [first, second, third]) assert.equal(harness.joinResponse(requestId).generationId, 1)
    assert.equal(harness.joinResponse(first.requestId).members.length, 3)
  })

  test('the leader receives all members and their metadata, followers receive none', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew({ protocols: rangeProtocol(['a']) })
    const follower = harness.joinNew({ protocols: rangeProtocol(['b']) })
    harness.advance(200) // initial delay, extended once because several members joined
    const leaderResponse = harness.joinResponse(leader.requestId)
    const followerResponse = harness.joinResponse(follower.requestId)
    assert.equal(leaderResponse.leader, leader.memberId)
    assert.equal(followerResponse.leader, leader.memberId)
    assert.deepEqual(leaderResponse.members.map((member) => [member.memberId, member.metadata]), [
      [leader.memberId, encodeSubscriptionTopics(['a'])],
      [follower.memberId, encodeSubscriptionTopics(['b'])],
    ])
    assert.deepEqual(followerResponse.members, [])
    assert.equal(followerResponse.protocolName, 'range')
    assert.equal(followerResponse.protocolType, 'consumer')
  })

  test('the protocol supported by all members with most first-preference votes is selected', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const meta = new Uint8Array([0])
    const protocols = (...names: string[]) => names.map((name) => ({ name, metadata: meta }))
    const a = harness.joinNew({ protocols: protocols('cooperative-sticky', 'range', 'roundrobin') })
    harness.joinNew({ protocols: protocols('range', 'cooperative-sticky') })
    harness.joinNew({ protocols: protocols('range', 'cooperative-sticky', 'roundrobin') })
    harness.advance(200) // initial delay, extended once because several members joined
    assert.equal(harness.joinResponse(a.requestId).protocolName, 'range')
  })

  test('JoinGroup without a protocol in common with the group returns INCONSISTENT_GROUP_PROTOCOL', () => {
    const harness = new GroupHarness()
    harness.stableSingleMember()
    const other = harness.joinResponse(harness.join({ protocols: [{ name: 'roundrobin', metadata: new Uint8Array() }] }))
    assert.equal(other.errorCode, ErrorCode.InconsistentGroupProtocol)
    const wrongType = harness.joinResponse(harness.join({ protocolType: 'connect' }))
    assert.equal(wrongType.errorCode, ErrorCode.InconsistentGroupProtocol)
    const emptyType = new GroupHarness()
    assert.equal(emptyType.joinResponse(emptyType.join({ protocolType: '' })).errorCode, ErrorCode.InconsistentGroupProtocol)
  })

  test('a session timeout outside the broker bounds returns INVALID_SESSION_TIMEOUT', () => {
    const harness = new GroupHarness()
    assert.equal(harness.joinResponse(harness.join({ sessionTimeoutMs: 5_999 })).errorCode, ErrorCode.InvalidSessionTimeout)
    assert.equal(harness.joinResponse(harness.join({ sessionTimeoutMs: 1_800_001 })).errorCode, ErrorCode.InvalidSessionTimeout)
  })

  test('JoinGroup with an unknown member id returns UNKNOWN_MEMBER_ID, also for a missing group', () => {
    const harness = new GroupHarness()
    assert.equal(harness.joinResponse(harness.join({ memberId: 'ghost' })).errorCode, ErrorCode.UnknownMemberId)
    harness.stableSingleMember()
    assert.equal(harness.joinResponse(harness.join({ memberId: 'ghost' })).errorCode, ErrorCode.UnknownMemberId)
  })

  test('JoinGroup with an empty group id returns INVALID_GROUP_ID', () => {
    const harness = new GroupHarness()
    assert.equal(harness.joinResponse(harness.join({ groupId: '' })).errorCode, ErrorCode.InvalidGroupId)
  })

  test('a member beyond group.max.size gets GROUP_MAX_SIZE_REACHED', () => {
    const harness = new GroupHarness({ groupMaxSize: 1, groupInitialRebalanceDelayMs: 100 })
    const first = harness.joinNew()
    const second = harness.joinResponse(harness.join())
    assert.equal(second.errorCode, ErrorCode.GroupMaxSizeReached)
    assert.equal(second.memberId, '')
    harness.advance(100)
    assert.equal(harness.joinResponse(first.requestId).members.length, 1)
  })

  test('a pending member (MEMBER_ID_REQUIRED) that never rejoins stops blocking the rebalance after its session timeout', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    harness.join({ apiVersion: 9 }) // gets MEMBER_ID_REQUIRED, never comes back
    const rejoin = harness.join({ memberId }) // the leader rejoins: rebalance
    assert.equal(harness.state(), 'PreparingRebalance')
    assert.equal(harness.joinResponses.has(rejoin), false)
    harness.advance(10_000)
    assert.equal(harness.joinResponse(rejoin).generationId, generationId + 1)
  })
})

describe('SyncGroup', () => {
  test('followers wait for the leader; the leader assignment is delivered and the group becomes Stable', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    const generationId = harness.joinResponse(leader.requestId).generationId
    const followerSync = harness.sync({ memberId: follower.memberId, generationId })
    assert.equal(harness.syncResponses.has(followerSync), false)
    const leaderSync = harness.sync({
      memberId: leader.memberId, generationId,
      assignments: [{ memberId: leader.memberId, assignment: new Uint8Array([1]) }, { memberId: follower.memberId, assignment: new Uint8Array([2]) }],
    })
    assert.deepEqual(harness.syncResponse(followerSync).assignment, new Uint8Array([2]))
    assert.deepEqual(harness.syncResponse(leaderSync).assignment, new Uint8Array([1]))
    assert.equal(harness.syncResponse(leaderSync).protocolName, 'range')
    assert.equal(harness.state(), 'Stable')
    const stored = harness.appended.flatMap((append) => append.records).map(decodeGroupRecord)
    assert.equal(stored.length, 1)
    assert.equal(stored[0].type, 'groupMetadata')
  })

  test('members missing from the leader assignment get an empty assignment', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1, assignments: [] })
    assert.deepEqual(harness.syncResponse(harness.sync({ memberId: follower.memberId, generationId: 1 })).assignment, new Uint8Array())
  })

  test('SyncGroup rejects a stale generation, a mismatched protocol and a rebalancing group', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    assert.equal(harness.syncResponse(harness.sync({ memberId, generationId: generationId + 5 })).errorCode, ErrorCode.IllegalGeneration)
    assert.equal(harness.syncResponse(harness.sync({ memberId, generationId, protocolName: 'roundrobin' })).errorCode, ErrorCode.InconsistentGroupProtocol)
    assert.equal(harness.syncResponse(harness.sync({ memberId, generationId, protocolType: 'connect' })).errorCode, ErrorCode.InconsistentGroupProtocol)
    assert.equal(harness.syncResponse(harness.sync({ memberId: 'ghost', generationId })).errorCode, ErrorCode.UnknownMemberId)
    harness.joinNew() // a new member: rebalance starts, waits for the existing member
    assert.equal(harness.syncResponse(harness.sync({ memberId, generationId })).errorCode, ErrorCode.RebalanceInProgress)
  })

  test('SyncGroup in a Stable group returns the member current assignment', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember({}, new Uint8Array([7, 7]))
    assert.deepEqual(harness.syncResponse(harness.sync({ memberId, generationId })).assignment, new Uint8Array([7, 7]))
  })

  test('a member that does not send SyncGroup within the rebalance timeout is removed and the group rebalances', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew({ rebalanceTimeoutMs: 20_000 })
    const lazy = harness.joinNew({ rebalanceTimeoutMs: 20_000 })
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1, assignments: [] })
    assert.equal(harness.state(), 'Stable')
    harness.heartbeat(leader.memberId, 1)
    harness.advance(9_000)
    harness.heartbeat(leader.memberId, 1)
    harness.advance(9_000)
    harness.heartbeat(leader.memberId, 1)
    harness.advance(2_000) // 20 s after the join completed: lazy never synced
    assert.equal(harness.state(), 'PreparingRebalance')
    const described = harness.coordinator.describeGroups(['group'], 5)[0]
    assert.deepEqual(described.members.map((member) => member.memberId), [leader.memberId])
    assert.equal(harness.heartbeat(lazy.memberId, 1), ErrorCode.UnknownMemberId)
  })
})

describe('Heartbeat', () => {
  test('Heartbeat answers NONE when Stable, REBALANCE_IN_PROGRESS while preparing, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    assert.equal(harness.heartbeat(memberId, generationId), ErrorCode.None)
    assert.equal(harness.heartbeat(memberId, generationId - 1), ErrorCode.IllegalGeneration)
    assert.equal(harness.heartbeat('ghost', generationId), ErrorCode.UnknownMemberId)
    assert.equal(harness.heartbeat(memberId, generationId, null, 'other-group'), ErrorCode.UnknownMemberId)
    assert.equal(harness.heartbeat(memberId, generationId, null, ''), ErrorCode.InvalidGroupId)
    harness.joinNew()
    assert.equal(harness.heartbeat(memberId, generationId), ErrorCode.RebalanceInProgress)
  })

  test('Heartbeat during CompletingRebalance is accepted', () => {
    const harness = new GroupHarness()
    const { requestId, memberId } = harness.joinNew()
    assert.equal(harness.state(), 'CompletingRebalance')
    assert.equal(harness.heartbeat(memberId, harness.joinResponse(requestId).generationId), ErrorCode.None)
  })

  test('a member whose session times out is removed and the others rebalance to a new generation', () => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: 100 })
    const leader = harness.joinNew()
    const follower = harness.joinNew()
    harness.advance(200) // initial delay, extended once because several members joined
    harness.sync({ memberId: leader.memberId, generationId: 1 })
    harness.sync({ memberId: follower.memberId, generationId: 1 })
    harness.advance(6_000)
    harness.heartbeat(leader.memberId, 1)
    harness.advance(4_000) // follower silent for 10 s = its session timeout
    assert.equal(harness.state(), 'PreparingRebalance')
    assert.equal(harness.heartbeat(leader.memberId, 1), ErrorCode.RebalanceInProgress)
    const rejoin = harness.join({ memberId: leader.memberId })
    assert.equal(harness.joinResponse(rejoin).generationId, 2)
    assert.deepEqual(harness.joinResponse(rejoin).members.map((member) => member.memberId), [leader.memberId])
  })

  test('heartbeats keep a member alive past its session timeout', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    for (let i = 0; i < 10; i++) {
      harness.advance(9_000)
      assert.equal(harness.heartbeat(memberId, generationId), ErrorCode.None)
    }
    assert.equal(harness.state(), 'Stable')
  })
})

import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'
import { encodeSubscriptionTopics } from './consumer-protocol.ts'
import { decodeGroupRecord } from './group-records.ts'

describe('DescribeGroups', () => {
  test('a Stable group is described with protocol, member metadata and assignments', () => {
    const harness = new GroupHarness()
    const { memberId } = harness.stableSingleMember({ protocols: rangeProtocol(['orders']), clientId: 'app' }, new Uint8Array([9]))
    const [described] = harness.coordinator.describeGroups(['group'], 5)
    assert.equal(described.groupState, 'Stable')
    assert.equal(described.protocolType, 'consumer')
    assert.equal(described.protocolData, 'range')
    assert.deepEqual(described.members, [{
      memberId, groupInstanceId: null, clientId: 'app', clientHost: '/127.0.0.1',
      memberMetadata: encodeSubscriptionTopics(['orders']), memberAssignment: new Uint8Array([9]),
    }])
  })

  test('a rebalancing group is described without member metadata', () => {
    const harness = new GroupHarness()
    harness.stableSingleMember()
    harness.joinNew()
    const [described] = harness.coordinator.describeGroups(['group'], 5)
    assert.equal(described.groupState, 'PreparingRebalance')
    assert.equal(described.protocolData, '')
    assert.ok(described.members.every((member) => member.memberMetadata.length === 0))
  })

  test('a missing group is Dead before DescribeGroups v6 and GROUP_ID_NOT_FOUND from v6', () => {
    const harness = new GroupHarness()
    assert.deepEqual(harness.coordinator.describeGroups(['nope'], 5)[0], { errorCode: 0, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [] })
    assert.equal(harness.coordinator.describeGroups(['nope'], 6)[0].errorCode, ErrorCode.GroupIdNotFound)
  })
})

describe('ListGroups', () => {
  test('ListGroups filters by state case-insensitively and by type', () => {
    const harness = new GroupHarness()
    harness.stableSingleMember({ groupId: 'active' })
    harness.run(harness.coordinator.commitOffsets({
      apiVersion: 8, groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }, harness.now()))
    assert.deepEqual(harness.coordinator.listGroups().map((group) => [group.groupId, group.groupState, group.protocolType]).sort(),
      [['active', 'Stable', 'consumer'], ['simple', 'Empty', '']])
    assert.deepEqual(harness.coordinator.listGroups(['stable']).map((group) => group.groupId), ['active'])
    assert.deepEqual(harness.coordinator.listGroups(['EMPTY', 'Dead']).map((group) => group.groupId), ['simple'])
    assert.deepEqual(harness.coordinator.listGroups([], ['consumer']), [])
    assert.equal(harness.coordinator.listGroups([], ['Classic']).length, 2)
  })
})

describe('DeleteGroups', () => {
  test('an Empty group is deleted with tombstones for its offsets and metadata; active groups are NON_EMPTY_GROUP', () => {
    const harness = new GroupHarness()
    harness.stableSingleMember({ groupId: 'active' })
    harness.run(harness.coordinator.commitOffsets({
      apiVersion: 8, groupId: 'idle', generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }, harness.now()))
    const result = harness.run(harness.coordinator.deleteGroups(['idle', 'active', 'missing'], harness.now())).response
    assert.deepEqual(result, [
      { groupId: 'idle', errorCode: ErrorCode.None },
      { groupId: 'active', errorCode: ErrorCode.NonEmptyGroup },
      { groupId: 'missing', errorCode: ErrorCode.GroupIdNotFound },
    ])
    const tombstones = harness.appended.at(-1)?.records.map(decodeGroupRecord)
    assert.deepEqual(tombstones?.map((record) => [record.type, record.value]), [['offsetCommit', null], ['groupMetadata', null]])
    assert.deepEqual(harness.coordinator.listGroups().map((group) => group.groupId), ['active'])
  })
})

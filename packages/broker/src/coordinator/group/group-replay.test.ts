import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '../error-codes.ts'
import { CoordinatorRecordError } from '../record-codec.ts'
import { GroupHarness } from '../testing/group-harness.ts'
import { decodeGroupRecord, groupMetadataRecord, offsetCommitRecord } from './group-records.ts'

const offsetTopics = (offset: number) => [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 1, committedMetadata: 'm' }] }]

describe('group state replay from __consumer_offsets', () => {
  test('after a restart a Stable group, its assignments and offsets are rebuilt from the log', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember({}, new Uint8Array([4, 2]))
    harness.run(harness.coordinator.commitOffsets({ apiVersion: 8, groupId: 'group', generationId, memberId, groupInstanceId: null, topics: offsetTopics(42) }, harness.now()))
    harness.restart()
    assert.equal(harness.state(), 'Stable')
    assert.equal(harness.heartbeat(memberId, generationId), ErrorCode.None)
    assert.deepEqual(harness.syncResponse(harness.sync({ memberId, generationId })).assignment, new Uint8Array([4, 2]))
    assert.equal(harness.coordinator.committedOffsets('group')[0].offset, 42)
  })

  test('after a restart a member that never heartbeats again expires after its session timeout', () => {
    const harness = new GroupHarness()
    const { memberId, generationId } = harness.stableSingleMember()
    harness.restart()
    harness.advance(10_000)
    assert.equal(harness.state(), 'Empty')
    assert.equal(harness.heartbeat(memberId, generationId), ErrorCode.UnknownMemberId)
  })

  test('deleted groups and deleted offsets stay deleted after a restart', () => {
    const harness = new GroupHarness()
    const commit = (groupId: string) => harness.run(harness.coordinator.commitOffsets({ apiVersion: 8, groupId, generationId: -1, memberId: '', groupInstanceId: null, topics: offsetTopics(1) }, harness.now()))
    commit('gone')
    commit('kept')
    harness.run(harness.coordinator.deleteGroups(['gone'], harness.now()))
    harness.run(harness.coordinator.deleteOffsets({ groupId: 'kept', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] }, harness.now()))
    harness.restart()
    assert.equal(harness.coordinator.describeGroups(['gone'], 6)[0].errorCode, ErrorCode.GroupIdNotFound)
    assert.deepEqual(harness.coordinator.committedOffsets('kept'), [])
  })

  test('transactional offsets replay as pending until their marker; an aborted transaction leaves no offsets', () => {
    const harness = new GroupHarness()
    const txn = (producerId: number, offset: number) => harness.run(harness.coordinator.commitTransactionalOffsets({
      transactionalId: 'tx', groupId: 'group', producerId, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: offsetTopics(offset),
    }, harness.now()))
    txn(1, 10)
    harness.marker(1, true)
    txn(2, 20)
    harness.marker(2, false)
    txn(3, 30) // still open at restart
    harness.restart()
    const [fetched] = harness.coordinator.fetchOffsets([{ groupId: 'group', topics: [{ name: 'orders', partitionIndexes: [0] }] }], true)
    assert.equal(fetched.topics[0].partitions[0].errorCode, ErrorCode.UnstableOffsetCommit)
    assert.equal(harness.coordinator.committedOffsets('group')[0].offset, 10)
    harness.coordinator.replayTransactionMarker(3, true)
    assert.equal(harness.coordinator.committedOffsets('group')[0].offset, 30)
  })

  test('an Empty group generation survives a restart', () => {
    const harness = new GroupHarness()
    const { memberId } = harness.stableSingleMember()
    harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId, groupInstanceId: null }] }, harness.now()))
    harness.restart()
    const rejoin = harness.joinNew()
    assert.equal(harness.joinResponse(rejoin.requestId).generationId, 3)
  })
})

describe('__consumer_offsets record format', () => {
  test('offset commit and group metadata records round-trip, tombstones included', () => {
    const offset = { offset: 2 ** 40, leaderEpoch: 7, metadata: 'ünïcode', commitTimestampMs: 1_700_000_000_123 }
    assert.deepEqual(decodeGroupRecord(offsetCommitRecord('g', 't', 3, offset)), { type: 'offsetCommit', groupId: 'g', topic: 't', partition: 3, value: offset })
    assert.deepEqual(decodeGroupRecord(offsetCommitRecord('g', 't', 3, null)).value, null)
    const group = {
      protocolType: 'consumer', generationId: 12, protocolName: 'range', leader: 'm1', currentStateTimestampMs: 5,
      members: [{ memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: 'h', rebalanceTimeoutMs: 1, sessionTimeoutMs: 2, subscription: new Uint8Array([1]), assignment: new Uint8Array([2]) }],
    }
    assert.deepEqual(decodeGroupRecord(groupMetadataRecord('g', group)), { type: 'groupMetadata', groupId: 'g', value: group })
    assert.equal(decodeGroupRecord(groupMetadataRecord('g', null)).value, null)
  })

  test('a truncated or unknown record is rejected with CoordinatorRecordError', () => {
    const record = offsetCommitRecord('g', 't', 0, { offset: 1, leaderEpoch: 0, metadata: null, commitTimestampMs: 0 })
    assert.throws(() => decodeGroupRecord({ key: record.key, value: record.value!.subarray(0, 5) }), CoordinatorRecordError)
    assert.throws(() => decodeGroupRecord({ key: new Uint8Array([0, 9]), value: null }), CoordinatorRecordError)
  })
})

// The `__consumer_offsets` record format (our own, versioned; modelled on the roles of Kafka's
// OffsetCommitKey/Value and GroupMetadataKey/Value). Key: int16 key type, then fields.
// Value: int16 version, then fields; a null value is a tombstone (offset or group deleted).
//
//   key type 1  OffsetCommitKey    group string, topic string, partition int32
//   key type 2  GroupMetadataKey   group string
//   OffsetCommitValue v0   offset int64, leaderEpoch int32, metadata string?, commitTimestampMs int64
//   GroupMetadataValue v0  protocolType string?, generationId int32, protocolName string?,
//                          leader string?, currentStateTimestampMs int64,
//                          members int32 count × (memberId, groupInstanceId?, clientId, clientHost,
//                          rebalanceTimeoutMs int32, sessionTimeoutMs int32, subscription bytes,
//                          assignment bytes)
// Strings are int32-length UTF-8 (-1 = null), bytes likewise.
import type { CoordinatorRecord } from '../effects.ts'
import { CoordinatorRecordError, RecordReader, RecordWriter } from '../record-codec.ts'
import type { OffsetAndMetadata } from './classic-group.ts'

const OFFSET_COMMIT_KEY = 1
const GROUP_METADATA_KEY = 2
const VALUE_VERSION = 0

export interface GroupMetadataMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly rebalanceTimeoutMs: number
  readonly sessionTimeoutMs: number
  readonly subscription: Uint8Array
  readonly assignment: Uint8Array
}

export interface GroupMetadataValue {
  readonly protocolType: string | null
  readonly generationId: number
  readonly protocolName: string | null
  readonly leader: string | null
  readonly currentStateTimestampMs: number
  readonly members: readonly GroupMetadataMember[]
}

export type GroupRecord =
  | { readonly type: 'offsetCommit'; readonly groupId: string; readonly topic: string; readonly partition: number; readonly value: OffsetAndMetadata | null }
  | { readonly type: 'groupMetadata'; readonly groupId: string; readonly value: GroupMetadataValue | null }

export function offsetCommitRecord(groupId: string, topic: string, partition: number, value: OffsetAndMetadata | null): CoordinatorRecord {
  const key = new RecordWriter().int16(OFFSET_COMMIT_KEY).string(groupId).string(topic).int32(partition).finish()
  if (value === null) return { key, value: null }
  const encoded = new RecordWriter().int16(VALUE_VERSION).int64(value.offset).int32(value.leaderEpoch)
    .string(value.metadata).int64(value.commitTimestampMs).finish()
  return { key, value: encoded }
}

export function groupMetadataRecord(groupId: string, value: GroupMetadataValue | null): CoordinatorRecord {
  const key = new RecordWriter().int16(GROUP_METADATA_KEY).string(groupId).finish()
  if (value === null) return { key, value: null }
  const writer = new RecordWriter().int16(VALUE_VERSION).string(value.protocolType).int32(value.generationId)
    .string(value.protocolName).string(value.leader).int64(value.currentStateTimestampMs).int32(value.members.length)
  for (const member of value.members) {
    writer.string(member.memberId).string(member.groupInstanceId).string(member.clientId).string(member.clientHost)
      .int32(member.rebalanceTimeoutMs).int32(member.sessionTimeoutMs).bytes(member.subscription).bytes(member.assignment)
  }
  return { key, value: writer.finish() }
}

/** Decodes a `__consumer_offsets` record; throws CoordinatorRecordError when malformed. */
export function decodeGroupRecord(record: CoordinatorRecord): GroupRecord {
  const key = new RecordReader(record.key)
  const keyType = key.int16()
  if (keyType === OFFSET_COMMIT_KEY) {
    const groupId = requireString(key.string(), 'group')
    const topic = requireString(key.string(), 'topic')
    const partition = key.int32()
    return { type: 'offsetCommit', groupId, topic, partition, value: record.value === null ? null : decodeOffsetValue(record.value) }
  }
  if (keyType === GROUP_METADATA_KEY) {
    const groupId = requireString(key.string(), 'group')
    return { type: 'groupMetadata', groupId, value: record.value === null ? null : decodeGroupValue(record.value) }
  }
  throw new CoordinatorRecordError(`unknown __consumer_offsets key type ${keyType}`)
}

function decodeOffsetValue(bytes: Uint8Array): OffsetAndMetadata {
  const reader = new RecordReader(bytes)
  checkVersion(reader.int16(), 'OffsetCommitValue')
  return { offset: reader.int64(), leaderEpoch: reader.int32(), metadata: reader.string(), commitTimestampMs: reader.int64() }
}

function decodeGroupValue(bytes: Uint8Array): GroupMetadataValue {
  const reader = new RecordReader(bytes)
  checkVersion(reader.int16(), 'GroupMetadataValue')
  const protocolType = reader.string()
  const generationId = reader.int32()
  const protocolName = reader.string()
  const leader = reader.string()
  const currentStateTimestampMs = reader.int64()
  const count = reader.int32()
  const members: GroupMetadataMember[] = []
  for (let index = 0; index < count; index++) {
    members.push({
      memberId: requireString(reader.string(), 'memberId'),
      groupInstanceId: reader.string(),
      clientId: requireString(reader.string(), 'clientId'),
      clientHost: requireString(reader.string(), 'clientHost'),
      rebalanceTimeoutMs: reader.int32(),
      sessionTimeoutMs: reader.int32(),
      subscription: reader.bytes() ?? new Uint8Array(0),
      assignment: reader.bytes() ?? new Uint8Array(0),
    })
  }
  return { protocolType, generationId, protocolName, leader, currentStateTimestampMs, members }
}

function checkVersion(version: number, what: string): void {
  if (version !== VALUE_VERSION) throw new CoordinatorRecordError(`unsupported ${what} version ${version}`)
}

function requireString(value: string | null, field: string): string {
  if (value === null) throw new CoordinatorRecordError(`null ${field} in __consumer_offsets record`)
  return value
}

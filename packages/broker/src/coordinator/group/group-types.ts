// Inputs and outputs of the classic group coordinator, named after Kafka's message fields
// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups,
// ListGroups, DeleteGroups, OffsetDelete, TxnOffsetCommit). Handlers map wire messages to these.
import type { AppendRecordsEffect, RequestId, TimerEffect } from '../effects.ts'

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const
export type GroupState = (typeof GroupState)[keyof typeof GroupState]

export const OFFSETS_TOPIC = '__consumer_offsets'

/** Broker settings of the group coordinator (Kafka config names in comments). */
export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  readonly groupInitialRebalanceDelayMs: number
  /** group.min.session.timeout.ms */
  readonly groupMinSessionTimeoutMs: number
  /** group.max.session.timeout.ms */
  readonly groupMaxSessionTimeoutMs: number
  /** group.max.size */
  readonly groupMaxSize: number
  /** offsets.retention.minutes × 60000 */
  readonly offsetsRetentionMs: number
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number
  /** offsets.topic.num.partitions */
  readonly offsetsTopicPartitionCount: number
  /** offset.metadata.max.bytes */
  readonly offsetMetadataMaxBytes: number
  /** How long a new member may wait in JoinGroup before it is dropped (Kafka: 5 minutes). */
  readonly newMemberJoinTimeoutMs: number
}

export const defaultGroupCoordinatorConfig: GroupCoordinatorConfig = {
  groupInitialRebalanceDelayMs: 3_000,
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetsTopicPartitionCount: 50,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 300_000,
}

export interface GroupProtocol {
  readonly name: string
  readonly metadata: Uint8Array
}

export interface JoinGroupRequest {
  /** Chosen by the shell; the response comes back in a `completeJoinGroup` effect carrying it. */
  readonly requestId: RequestId
  /** Request version: v4+ requires a known member id (KIP-394), v9+ supports skipAssignment. */
  readonly apiVersion: number
  readonly groupId: string
  readonly sessionTimeoutMs: number
  /** v0 has none: pass sessionTimeoutMs, as Kafka does. */
  readonly rebalanceTimeoutMs: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly protocolType: string
  readonly protocols: readonly GroupProtocol[]
  readonly clientId: string
  readonly clientHost: string
  readonly reason?: string | null
}

export interface JoinGroupResponseMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly metadata: Uint8Array
}

export interface JoinGroupResult {
  readonly errorCode: number
  readonly generationId: number
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly leader: string
  readonly skipAssignment: boolean
  readonly memberId: string
  readonly members: readonly JoinGroupResponseMember[]
}

export interface SyncGroupAssignment {
  readonly memberId: string
  readonly assignment: Uint8Array
}

export interface SyncGroupRequest {
  readonly requestId: RequestId
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  /** v5+; null when absent. */
  readonly protocolType: string | null
  /** v5+; null when absent. */
  readonly protocolName: string | null
  readonly assignments: readonly SyncGroupAssignment[]
}

export interface SyncGroupResult {
  readonly errorCode: number
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly assignment: Uint8Array
}

export interface HeartbeatRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface LeaveGroupMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly reason?: string | null
}

export interface LeaveGroupRequest {
  readonly groupId: string
  /** v3+ batches; v0–2 pass their single memberId as one entry. */
  readonly members: readonly LeaveGroupMember[]
}

export interface LeaveGroupResult {
  readonly errorCode: number
  readonly members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; errorCode: number }>
}

export interface OffsetCommitPartition {
  readonly partitionIndex: number
  readonly committedOffset: number
  /** -1 when unknown (v6+ carries it). */
  readonly committedLeaderEpoch: number
  readonly committedMetadata: string | null
}

export interface OffsetCommitTopic {
  readonly name: string
  readonly partitions: readonly OffsetCommitPartition[]
}

export interface OffsetCommitRequest {
  readonly apiVersion: number
  readonly groupId: string
  /** -1 for simple (non-group-managed) commits. */
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly OffsetCommitTopic[]
}

export interface TxnOffsetCommitRequest {
  readonly transactionalId: string
  readonly groupId: string
  readonly producerId: number
  readonly producerEpoch: number
  /** v3+ (KIP-447); -1 / '' / null for older versions. */
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly OffsetCommitTopic[]
}

export interface PartitionErrorTopic {
  readonly name: string
  readonly partitions: ReadonlyArray<{ partitionIndex: number; errorCode: number }>
}

export interface OffsetCommitResult {
  readonly topics: readonly PartitionErrorTopic[]
}

export interface OffsetFetchGroup {
  readonly groupId: string
  /** null = every partition with a committed offset. */
  readonly topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null
}

export interface OffsetFetchPartition {
  readonly partitionIndex: number
  readonly committedOffset: number
  readonly committedLeaderEpoch: number
  readonly metadata: string | null
  readonly errorCode: number
}

export interface OffsetFetchGroupResult {
  readonly groupId: string
  readonly errorCode: number
  readonly topics: ReadonlyArray<{ name: string; partitions: readonly OffsetFetchPartition[] }>
}

export interface DescribedGroupMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly memberMetadata: Uint8Array
  readonly memberAssignment: Uint8Array
}

export interface DescribedGroup {
  readonly errorCode: number
  readonly groupId: string
  readonly groupState: string
  readonly protocolType: string
  /** The selected protocol name (Kafka's field name is ProtocolData). */
  readonly protocolData: string
  readonly members: readonly DescribedGroupMember[]
}

export interface ListedGroup {
  readonly groupId: string
  readonly protocolType: string
  readonly groupState: string
  readonly groupType: 'classic'
}

export interface OffsetDeleteRequest {
  readonly groupId: string
  readonly topics: ReadonlyArray<{ name: string; partitions: ReadonlyArray<{ partitionIndex: number }> }>
}

export interface OffsetDeleteResult {
  readonly errorCode: number
  readonly topics: readonly PartitionErrorTopic[]
}

/** A committed offset as kept by the coordinator (and returned by `committedOffsets`). */
export interface CommittedOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string | null
  readonly commitTimestampMs: number
}

export interface CompleteJoinGroupEffect {
  readonly type: 'completeJoinGroup'
  readonly requestId: RequestId
  readonly response: JoinGroupResult
}

export interface CompleteSyncGroupEffect {
  readonly type: 'completeSyncGroup'
  readonly requestId: RequestId
  readonly response: SyncGroupResult
}

export type GroupEffect = AppendRecordsEffect | TimerEffect | CompleteJoinGroupEffect | CompleteSyncGroupEffect

/** What every coordinator call returns: an immediate response (if any) and effects to run. */
export interface GroupOutcome<Response> {
  readonly response: Response
  readonly effects: readonly GroupEffect[]
}

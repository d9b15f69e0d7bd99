// Offset storage of the group coordinator: OffsetCommit, TxnOffsetCommit (held pending until the
// transaction's marker), OffsetFetch, OffsetDelete and offset retention (Kafka's
// OffsetMetadataManager / GroupMetadataManager offset paths).
import type { CoordinatorRecord } from '../effects.ts'
import { ErrorCode } from '../error-codes.ts'
import { ClassicGroup, topicPartitionKey } from './classic-group.ts'
import type { OffsetAndMetadata } from './classic-group.ts'
import type { GroupContext } from './group-context.ts'
import { groupMetadataRecord, offsetCommitRecord } from './group-records.ts'
import { validateCurrentMember } from './membership.ts'
import { isSubscribedToTopic } from './consumer-protocol.ts'
import { GroupState } from './group-types.ts'
import type {
  CommittedOffset, OffsetCommitRequest, OffsetCommitResult, OffsetCommitTopic, OffsetDeleteRequest, OffsetDeleteResult,
  OffsetFetchGroup, OffsetFetchGroupResult, OffsetFetchPartition, TxnOffsetCommitRequest,
} from './group-types.ts'

export function commitOffsets(context: GroupContext, request: OffsetCommitRequest): OffsetCommitResult {
  let group = context.groups.get(request.groupId)
  if (group === undefined) {
    if (request.generationId >= 0) {
      // A commit for a generation of a group that does not exist.
      return uniformResult(request.topics, request.apiVersion >= 9 ? ErrorCode.GroupIdNotFound : ErrorCode.IllegalGeneration)
    }
    group = createSimpleGroup(context, request.groupId)
  }
  const error = validateOffsetCommit(group, request.memberId, request.groupInstanceId, request.generationId, false)
  if (error !== ErrorCode.None) return uniformResult(request.topics, error)
  const member = group.members.get(request.memberId)
  if (member !== undefined) context.scheduleHeartbeat(group, member)
  const records: CoordinatorRecord[] = []
  const result = storeOffsets(context, request.topics, (topic, partition, value) => {
    group.offsets.set(topicPartitionKey(topic, partition), { topic, partition, value })
    records.push(offsetCommitRecord(group.groupId, topic, partition, value))
  })
  context.append(group.groupId, records)
  return result
}

export function commitTransactionalOffsets(context: GroupContext, request: TxnOffsetCommitRequest): OffsetCommitResult {
  const group = context.groups.get(request.groupId) ?? createSimpleGroup(context, request.groupId)
  const error = validateOffsetCommit(group, request.memberId, request.groupInstanceId, request.generationId, true)
  if (error !== ErrorCode.None) return uniformResult(request.topics, error)
  let pending = group.pendingTransactionalOffsets.get(request.producerId)
  const records: CoordinatorRecord[] = []
  const result = storeOffsets(context, request.topics, (topic, partition, value) => {
    if (pending === undefined) {
      pending = new Map()
      group.pendingTransactionalOffsets.set(request.producerId, pending)
    }
    pending.set(topicPartitionKey(topic, partition), { topic, partition, value })
    records.push(offsetCommitRecord(group.groupId, topic, partition, value))
  })
  context.append(group.groupId, records, { producerId: request.producerId, producerEpoch: request.producerEpoch })
  return result
}

/** A transaction marker reached the offsets partition: apply (commit) or drop (abort) pending offsets. */
export function completeTransaction(context: GroupContext, producerId: number, isCommit: boolean): void {
  for (const group of context.groups.values()) {
    const pending = group.pendingTransactionalOffsets.get(producerId)
    if (pending === undefined) continue
    group.pendingTransactionalOffsets.delete(producerId)
    if (isCommit) for (const [key, entry] of pending) group.offsets.set(key, entry)
  }
}

function createSimpleGroup(context: GroupContext, groupId: string): ClassicGroup {
  const group = new ClassicGroup(groupId, context.nowMs)
  context.groups.set(groupId, group)
  return group
}

function validateOffsetCommit(group: ClassicGroup, memberId: string, groupInstanceId: string | null, generationId: number, isTransactional: boolean): number {
  if (group.is(GroupState.Dead)) return ErrorCode.CoordinatorNotAvailable
  // generation -1: an admin client or a consumer without group management; fine while Empty.
  if (generationId < 0 && group.is(GroupState.Empty)) return ErrorCode.None
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const error = validateCurrentMember(group, memberId, groupInstanceId)
    if (error !== ErrorCode.None) return error
    if (generationId !== group.generationId) return ErrorCode.IllegalGeneration
  } else if (!isTransactional && !group.is(GroupState.Empty)) {
    return ErrorCode.UnknownMemberId
  }
  // The member has its generation from JoinGroup but no assignment yet: let it rejoin gracefully.
  if (!isTransactional && group.is(GroupState.CompletingRebalance)) return ErrorCode.RebalanceInProgress
  return ErrorCode.None
}

function storeOffsets(
  context: GroupContext, topics: readonly OffsetCommitTopic[],
  store: (topic: string, partition: number, value: OffsetAndMetadata) => void,
): OffsetCommitResult {
  return {
    topics: topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const metadataBytes = partition.committedMetadata === null ? 0 : Buffer.byteLength(partition.committedMetadata)
        if (metadataBytes > context.config.offsetMetadataMaxBytes) {
          return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.OffsetMetadataTooLarge }
        }
        store(topic.name, partition.partitionIndex, {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.committedMetadata ?? '',
          commitTimestampMs: context.nowMs,
        })
        return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.None }
      }),
    })),
  }
}

function uniformResult(topics: readonly OffsetCommitTopic[], errorCode: number): OffsetCommitResult {
  return {
    topics: topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })),
    })),
  }
}

export function fetchOffsets(context: GroupContext, request: OffsetFetchGroup, requireStable: boolean): OffsetFetchGroupResult {
  const group = context.groups.get(request.groupId)
  const fetchPartition = (topic: string, partition: number): OffsetFetchPartition => {
    const key = topicPartitionKey(topic, partition)
    if (requireStable && group?.hasPendingTransactionalOffset(key)) {
      return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UnstableOffsetCommit }
    }
    const committed = group?.offsets.get(key)?.value
    if (committed === undefined) return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.None }
    return {
      partitionIndex: partition, committedOffset: committed.offset, committedLeaderEpoch: committed.leaderEpoch,
      metadata: committed.metadata, errorCode: ErrorCode.None,
    }
  }
  if (request.topics !== null) {
    const topics = request.topics.map((topic) => ({
      name: topic.name, partitions: topic.partitionIndexes.map((partition) => fetchPartition(topic.name, partition)),
    }))
    return { groupId: request.groupId, errorCode: ErrorCode.None, topics }
  }
  const byTopic = new Map<string, OffsetFetchPartition[]>()
  for (const { topic, partition } of group?.offsets.values() ?? []) {
    const partitions = byTopic.get(topic) ?? []
    partitions.push(fetchPartition(topic, partition))
    byTopic.set(topic, partitions)
  }
  return { groupId: request.groupId, errorCode: ErrorCode.None, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) }
}

export function committedOffsets(context: GroupContext, groupId: string): CommittedOffset[] {
  const group = context.groups.get(groupId)
  return [...group?.offsets.values() ?? []].map(({ topic, partition, value }) => ({ topic, partition, ...value }))
}

export function deleteOffsets(context: GroupContext, request: OffsetDeleteRequest): OffsetDeleteResult {
  const group = context.groups.get(request.groupId)
  if (group === undefined || group.is(GroupState.Dead)) return { errorCode: ErrorCode.GroupIdNotFound, topics: [] }
  const isEmpty = group.is(GroupState.Empty)
  if (!isEmpty && group.protocolType !== 'consumer') return { errorCode: ErrorCode.NonEmptyGroup, topics: [] }
  const records: CoordinatorRecord[] = []
  const topics = request.topics.map((topic) => {
    const subscribed = !isEmpty && isSubscribedToTopic(group, topic.name)
    return {
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => {
        if (subscribed) return { partitionIndex, errorCode: ErrorCode.GroupSubscribedToTopic }
        if (group.offsets.delete(topicPartitionKey(topic.name, partitionIndex))) {
          records.push(offsetCommitRecord(group.groupId, topic.name, partitionIndex, null))
        }
        return { partitionIndex, errorCode: ErrorCode.None }
      }),
    }
  })
  context.append(group.groupId, records)
  return { errorCode: ErrorCode.None, topics }
}

/** Topics were deleted: drop every group's offsets (committed and pending) for them, with tombstones. */
export function deleteTopicOffsets(context: GroupContext, topics: ReadonlySet<string>): void {
  for (const group of context.groups.values()) {
    const records: CoordinatorRecord[] = []
    for (const [key, { topic, partition }] of [...group.offsets]) {
      if (!topics.has(topic)) continue
      group.offsets.delete(key)
      records.push(offsetCommitRecord(group.groupId, topic, partition, null))
    }
    for (const pending of group.pendingTransactionalOffsets.values()) {
      for (const [key, { topic }] of [...pending]) if (topics.has(topic)) pending.delete(key)
    }
    context.append(group.groupId, records)
  }
}

/**
 * Drops offsets past retention: for an Empty group, retention counts from when it became Empty;
 * for a group without protocol type (simple consumers), from each commit. Offsets of active groups
 * and offsets with a pending transactional commit are kept. An Empty group left with no offsets is
 * deleted (tombstoned).
 */
export function expireOffsets(context: GroupContext): void {
  const { offsetsRetentionMs } = context.config
  for (const group of [...context.groups.values()]) {
    const usesGroupProtocol = group.protocolType !== null
    if (usesGroupProtocol && !group.is(GroupState.Empty)) continue
    const records: CoordinatorRecord[] = []
    for (const [key, { topic, partition, value }] of [...group.offsets]) {
      const baseMs = usesGroupProtocol ? (group.currentStateTimestampMs ?? value.commitTimestampMs) : value.commitTimestampMs
      if (context.nowMs - baseMs < offsetsRetentionMs || group.hasPendingTransactionalOffset(key)) continue
      group.offsets.delete(key)
      records.push(offsetCommitRecord(group.groupId, topic, partition, null))
    }
    if (group.is(GroupState.Empty) && !group.hasOffsets() && group.pendingMembers.size === 0) {
      group.transitionTo(GroupState.Dead, context.nowMs)
      context.groups.delete(group.groupId)
      records.push(groupMetadataRecord(group.groupId, null))
    }
    context.append(group.groupId, records)
  }
}

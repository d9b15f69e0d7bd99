// The classic group coordinator as a pure state machine: every call takes the current time and
// returns its response plus the effects (log appends, timers, deferred JoinGroup/SyncGroup
// responses) for the shell to execute. State is rebuilt after a restart by replaying the
// `__consumer_offsets` records, then `activate` re-arms timers.
import { randomUUID } from 'node:crypto'
import type { CoordinatorRecord } from '../effects.ts'
import { ClassicGroup, topicPartitionKey } from './classic-group.ts'
import { GroupContext } from './group-context.ts'
import { decodeGroupRecord } from './group-records.ts'
import type { GroupMetadataValue } from './group-records.ts'
import { deleteGroups, describeGroup, listGroups } from './group-admin.ts'
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './membership.ts'
import {
  commitOffsets, commitTransactionalOffsets, committedOffsets, completeTransaction, deleteOffsets, deleteTopicOffsets, expireOffsets, fetchOffsets,
} from './offsets.ts'
import { onHeartbeatExpired, onJoinTimerExpired, onPendingMemberExpired, onSyncTimerExpired } from './rebalance.ts'
import { defaultGroupCoordinatorConfig, GroupState } from './group-types.ts'
import type {
  CommittedOffset, DescribedGroup, GroupCoordinatorConfig, GroupEffect, GroupOutcome, HeartbeatRequest, JoinGroupRequest,
  LeaveGroupRequest, LeaveGroupResult, ListedGroup, OffsetCommitRequest, OffsetCommitResult, OffsetDeleteRequest,
  OffsetDeleteResult, OffsetFetchGroup, OffsetFetchGroupResult, SyncGroupRequest, TxnOffsetCommitRequest,
} from './group-types.ts'

export interface GroupCoordinatorOptions {
  readonly config?: Partial<GroupCoordinatorConfig>
  /** Member id generator (default `${prefix}-${uuid}`, prefix = group.instance.id or client.id). */
  readonly newMemberId?: (prefix: string) => string
}

/**
 * @example
 * const coordinator = new GroupCoordinator({ config: { groupInitialRebalanceDelayMs: 0 } })
 * const effects = coordinator.joinGroup({ requestId: 1, apiVersion: 9, groupId: 'g', memberId: '', ... }, clock.nowMs())
 * // effects holds { type: 'completeJoinGroup', requestId: 1, response: { errorCode: 79 (MEMBER_ID_REQUIRED), memberId, ... } }
 */
export class GroupCoordinator {
  readonly #context: GroupContext

  constructor(options: GroupCoordinatorOptions = {}) {
    const config = { ...defaultGroupCoordinatorConfig, ...options.config }
    this.#context = new GroupContext(config, options.newMemberId ?? ((prefix) => `${prefix}-${randomUUID()}`))
  }

  get config(): GroupCoordinatorConfig {
    return this.#context.config
  }

  /** The `__consumer_offsets` partition holding this group's records. */
  partitionFor(groupId: string): number {
    return this.#context.partitionFor(groupId)
  }

  /** JoinGroup; its response arrives as a `completeJoinGroup` effect now or from a later call. */
  joinGroup(request: JoinGroupRequest, nowMs: number): readonly GroupEffect[] {
    return this.#run(nowMs, () => joinGroup(this.#context, request)).effects
  }

  /** SyncGroup; its response arrives as a `completeSyncGroup` effect now or from a later call. */
  syncGroup(request: SyncGroupRequest, nowMs: number): readonly GroupEffect[] {
    return this.#run(nowMs, () => syncGroup(this.#context, request)).effects
  }

  /** Heartbeat; the response is its error code. */
  heartbeat(request: HeartbeatRequest, nowMs: number): GroupOutcome<number> {
    return this.#run(nowMs, () => heartbeat(this.#context, request))
  }

  leaveGroup(request: LeaveGroupRequest, nowMs: number): GroupOutcome<LeaveGroupResult> {
    return this.#run(nowMs, () => leaveGroup(this.#context, request))
  }

  commitOffsets(request: OffsetCommitRequest, nowMs: number): GroupOutcome<OffsetCommitResult> {
    return this.#run(nowMs, () => commitOffsets(this.#context, request))
  }

  /** TxnOffsetCommit: offsets stay pending (invisible, UNSTABLE for requireStable) until `completeTransaction`. */
  commitTransactionalOffsets(request: TxnOffsetCommitRequest, nowMs: number): GroupOutcome<OffsetCommitResult> {
    return this.#run(nowMs, () => commitTransactionalOffsets(this.#context, request))
  }

  /** Call when a commit/abort marker of `producerId` was appended to an offsets partition. */
  completeTransaction(producerId: number, isCommit: boolean): void {
    completeTransaction(this.#context, producerId, isCommit)
  }

  fetchOffsets(groups: readonly OffsetFetchGroup[], requireStable: boolean): OffsetFetchGroupResult[] {
    return groups.map((group) => fetchOffsets(this.#context, group, requireStable))
  }

  /** Committed offsets of a group (for consumer lag). */
  committedOffsets(groupId: string): CommittedOffset[] {
    return committedOffsets(this.#context, groupId)
  }

  describeGroups(groupIds: readonly string[], apiVersion: number): DescribedGroup[] {
    return groupIds.map((groupId) => describeGroup(this.#context, groupId, apiVersion))
  }

  listGroups(statesFilter: readonly string[] = [], typesFilter: readonly string[] = []): ListedGroup[] {
    return listGroups(this.#context, statesFilter, typesFilter)
  }

  deleteGroups(groupIds: readonly string[], nowMs: number): GroupOutcome<Array<{ groupId: string; errorCode: number }>> {
    return this.#run(nowMs, () => deleteGroups(this.#context, groupIds))
  }

  deleteOffsets(request: OffsetDeleteRequest, nowMs: number): GroupOutcome<OffsetDeleteResult> {
    return this.#run(nowMs, () => deleteOffsets(this.#context, request))
  }

  /** DeleteTopics happened: forget every group's offsets of these topics (Kafka's handleDeletedPartitions). */
  onTopicsDeleted(topics: readonly string[], nowMs: number): readonly GroupEffect[] {
    return this.#run(nowMs, () => deleteTopicOffsets(this.#context, new Set(topics))).effects
  }

  /** A timer requested by a `scheduleTimer` effect fired. Unknown or re-armed timers are ignored. */
  onTimer(timerId: string, nowMs: number): readonly GroupEffect[] {
    return this.#run(nowMs, () => {
      const context = this.#context
      const entry = context.timers.get(timerId)
      if (entry === undefined || entry.deadlineMs > nowMs) return
      context.timers.delete(timerId)
      const { timer } = entry
      if (timer.kind === 'offsetExpiration') {
        expireOffsets(context)
        context.schedule(timer, context.config.offsetsRetentionCheckIntervalMs)
        return
      }
      const group = context.groups.get(timer.groupId)
      if (group === undefined) return
      if (timer.kind === 'heartbeat') onHeartbeatExpired(context, group, timer.memberId)
      else if (timer.kind === 'pendingMember') onPendingMemberExpired(context, group, timer.memberId)
      else if (timer.kind === 'join') onJoinTimerExpired(context, group)
      else onSyncTimerExpired(context, group, timer.generationId)
    }).effects
  }

  /**
   * Rebuilds state from one `__consumer_offsets` record, in log order. `producerId` is set for
   * records of a transactional batch: those offsets stay pending until `replayTransactionMarker`.
   */
  replay(record: CoordinatorRecord, producerId: number | null = null): void {
    const decoded = decodeGroupRecord(record)
    const groups = this.#context.groups
    let group = groups.get(decoded.groupId)
    if (decoded.type === 'groupMetadata') {
      if (decoded.value !== null) groups.set(decoded.groupId, loadGroup(decoded.groupId, decoded.value, group))
      else if (group !== undefined) groups.delete(decoded.groupId)
      return
    }
    if (group === undefined) {
      if (decoded.value === null) return
      group = new ClassicGroup(decoded.groupId, null)
      groups.set(decoded.groupId, group)
    }
    const key = topicPartitionKey(decoded.topic, decoded.partition)
    if (producerId !== null) {
      const pending = group.pendingTransactionalOffsets.get(producerId) ?? new Map()
      if (decoded.value !== null) pending.set(key, { topic: decoded.topic, partition: decoded.partition, value: decoded.value })
      group.pendingTransactionalOffsets.set(producerId, pending)
    } else if (decoded.value === null) {
      group.offsets.delete(key)
    } else {
      group.offsets.set(key, { topic: decoded.topic, partition: decoded.partition, value: decoded.value })
    }
  }

  /** Replays a commit/abort control record of `producerId` found in an offsets partition. */
  replayTransactionMarker(producerId: number, isCommit: boolean): void {
    completeTransaction(this.#context, producerId, isCommit)
  }

  /** Starts the coordinator (after replay): arms member session timers and the retention check. */
  activate(nowMs: number): readonly GroupEffect[] {
    return this.#run(nowMs, () => {
      const context = this.#context
      for (const group of context.groups.values()) {
        for (const member of group.members.values()) context.scheduleHeartbeat(group, member)
      }
      context.schedule({ kind: 'offsetExpiration' }, context.config.offsetsRetentionCheckIntervalMs)
    }).effects
  }

  #run<Response>(nowMs: number, action: () => Response): GroupOutcome<Response> {
    this.#context.begin(nowMs)
    const response = action()
    return { response, effects: this.#context.finish() }
  }
}

function loadGroup(groupId: string, value: GroupMetadataValue, previous: ClassicGroup | undefined): ClassicGroup {
  const group = new ClassicGroup(groupId, value.currentStateTimestampMs < 0 ? null : value.currentStateTimestampMs)
  group.state = value.members.length > 0 ? GroupState.Stable : GroupState.Empty
  group.generationId = value.generationId
  group.protocolType = value.protocolType
  group.protocolName = value.protocolName
  for (const member of value.members) {
    group.add({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      sessionTimeoutMs: member.sessionTimeoutMs,
      protocolType: value.protocolType ?? '',
      protocols: value.protocolName === null ? [] : [{ name: value.protocolName, metadata: member.subscription }],
      assignment: member.assignment,
      awaitingJoin: null,
      awaitingSync: null,
      isNew: false,
    })
  }
  group.protocolType = value.protocolType
  group.leaderId = value.leader
  for (const [key, entry] of previous?.offsets ?? []) group.offsets.set(key, entry)
  for (const [producerId, pending] of previous?.pendingTransactionalOffsets ?? []) group.pendingTransactionalOffsets.set(producerId, pending)
  return group
}

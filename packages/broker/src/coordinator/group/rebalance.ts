// The rebalance machinery of a classic group (Kafka's prepareRebalance / DelayedJoin /
// InitialDelayedJoin / onCompleteJoin / DelayedSync / heartbeat expiration), as functions
// over a GroupContext. Timers are requested as effects; their expiry comes back through
// the `on*Expired` functions.
import { ErrorCode } from '../error-codes.ts'
import type { ClassicGroup, GroupMember } from './classic-group.ts'
import type { GroupContext } from './group-context.ts'
import { joinError, syncError } from './group-context.ts'
import { GroupState } from './group-types.ts'

export function maybePrepareRebalance(context: GroupContext, group: ClassicGroup): void {
  if (group.canRebalance()) prepareRebalance(context, group)
}

export function prepareRebalance(context: GroupContext, group: ClassicGroup): void {
  if (group.is(GroupState.CompletingRebalance)) resetAndPropagateAssignmentError(context, group, ErrorCode.RebalanceInProgress)
  clearPendingSync(context, group)
  const joinTimer = { kind: 'join', groupId: group.groupId } as const
  if (group.is(GroupState.Empty)) {
    const delayMs = context.config.groupInitialRebalanceDelayMs
    group.joinPhase = { initialDelay: true, remainingRebalanceMs: Math.max(group.rebalanceTimeoutMs - delayMs, 0), newMemberAdded: false }
    context.schedule(joinTimer, delayMs)
  } else {
    group.joinPhase = { initialDelay: false, remainingRebalanceMs: 0, newMemberAdded: false }
    context.schedule(joinTimer, group.rebalanceTimeoutMs)
  }
  group.transitionTo(GroupState.PreparingRebalance, context.nowMs)
  tryCompleteJoin(context, group)
}

/** Completes the join phase early once every member (and no pending member) has rejoined. */
export function tryCompleteJoin(context: GroupContext, group: ClassicGroup): void {
  if (!group.is(GroupState.PreparingRebalance) || group.joinPhase === null || group.joinPhase.initialDelay) return
  if (group.hasAllMembersJoined()) completeJoin(context, group)
}

export function onJoinTimerExpired(context: GroupContext, group: ClassicGroup): void {
  const phase = group.joinPhase
  if (!group.is(GroupState.PreparingRebalance) || phase === null) return
  if (phase.initialDelay && phase.newMemberAdded && phase.remainingRebalanceMs > 0) {
    // Members keep arriving during the initial delay: wait another delay, within the rebalance timeout.
    const delayMs = Math.min(context.config.groupInitialRebalanceDelayMs, phase.remainingRebalanceMs)
    group.joinPhase = { initialDelay: true, remainingRebalanceMs: Math.max(phase.remainingRebalanceMs - delayMs, 0), newMemberAdded: false }
    context.schedule({ kind: 'join', groupId: group.groupId }, delayMs)
    return
  }
  completeJoin(context, group)
}

function completeJoin(context: GroupContext, group: ClassicGroup): void {
  context.cancel({ kind: 'join', groupId: group.groupId })
  group.joinPhase = null
  for (const member of [...group.members.values()]) {
    // Dynamic members that did not rejoin in time are dropped; static members are kept.
    if (member.awaitingJoin === null && member.groupInstanceId === null) {
      group.remove(member.memberId)
      cancelMemberTimers(context, group, member)
    }
  }
  if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
    // Only static members that have not rejoined remain: wait another rebalance timeout.
    group.joinPhase = { initialDelay: false, remainingRebalanceMs: 0, newMemberAdded: false }
    context.schedule({ kind: 'join', groupId: group.groupId }, group.rebalanceTimeoutMs)
    return
  }
  initNextGeneration(context, group)
  if (group.is(GroupState.Empty)) {
    context.storeGroup(group)
    return
  }
  for (const member of group.members.values()) {
    if (member.awaitingJoin !== null) {
      context.respondJoin(member.awaitingJoin, {
        errorCode: ErrorCode.None,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        skipAssignment: false,
        memberId: member.memberId,
        members: group.isLeader(member.memberId) ? group.currentMemberMetadata() : [],
      })
      member.awaitingJoin = null
    }
    context.scheduleHeartbeat(group, member)
    member.isNew = false
    group.pendingSyncMembers.add(member.memberId)
  }
  context.schedule({ kind: 'sync', groupId: group.groupId, generationId: group.generationId }, group.rebalanceTimeoutMs)
}

function initNextGeneration(context: GroupContext, group: ClassicGroup): void {
  group.generationId++
  if (group.members.size > 0) {
    group.protocolName = group.selectProtocol()
    group.transitionTo(GroupState.CompletingRebalance, context.nowMs)
  } else {
    group.protocolName = null
    group.transitionTo(GroupState.Empty, context.nowMs)
  }
  group.pendingSyncMembers.clear()
}

/** Members that never sent SyncGroup within the rebalance timeout are removed (Kafka's DelayedSync). */
export function onSyncTimerExpired(context: GroupContext, group: ClassicGroup, generationId: number): void {
  if (generationId !== group.generationId) return
  if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return
  if (group.pendingSyncMembers.size === 0) return
  for (const memberId of [...group.pendingSyncMembers]) {
    const member = group.remove(memberId)
    if (member !== undefined) cancelMemberTimers(context, group, member)
  }
  prepareRebalance(context, group)
}

export function clearPendingSync(context: GroupContext, group: ClassicGroup): void {
  group.pendingSyncMembers.clear()
  context.cancel({ kind: 'sync', groupId: group.groupId, generationId: group.generationId })
}

export function removePendingSyncMember(context: GroupContext, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId)
  if (group.pendingSyncMembers.size === 0) clearPendingSync(context, group)
}

export function onHeartbeatExpired(context: GroupContext, group: ClassicGroup, memberId: string): void {
  const member = group.members.get(memberId)
  if (member === undefined) return
  // Members waiting in JoinGroup/SyncGroup count as alive, except new members, whose
  // JoinGroup may wait at most newMemberJoinTimeoutMs.
  if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) return
  removeMemberAndUpdateGroup(context, group, member)
}

export function onPendingMemberExpired(context: GroupContext, group: ClassicGroup, memberId: string): void {
  if (!group.pendingMembers.delete(memberId)) return
  tryCompleteJoin(context, group)
}

export function removeMemberAndUpdateGroup(context: GroupContext, group: ClassicGroup, member: GroupMember): void {
  // A removed member's waiting requests are answered so no request is left dangling.
  if (member.awaitingJoin !== null) context.respondJoin(member.awaitingJoin, joinError('', ErrorCode.UnknownMemberId))
  if (member.awaitingSync !== null) context.respondSync(member.awaitingSync, syncError(ErrorCode.UnknownMemberId))
  member.awaitingJoin = null
  member.awaitingSync = null
  group.remove(member.memberId)
  cancelMemberTimers(context, group, member)
  switch (group.state) {
    case GroupState.Stable:
    case GroupState.CompletingRebalance:
      maybePrepareRebalance(context, group)
      break
    case GroupState.PreparingRebalance:
      tryCompleteJoin(context, group)
      break
    default:
      break
  }
}

export function cancelMemberTimers(context: GroupContext, group: ClassicGroup, member: GroupMember): void {
  context.cancel({ kind: 'heartbeat', groupId: group.groupId, memberId: member.memberId })
}

/** Answers every waiting SyncGroup with an error and clears the assignments. */
export function resetAndPropagateAssignmentError(context: GroupContext, group: ClassicGroup, errorCode: number): void {
  for (const member of group.members.values()) member.assignment = new Uint8Array(0)
  propagateAssignment(context, group, errorCode)
}

export function propagateAssignment(context: GroupContext, group: ClassicGroup, errorCode: number): void {
  for (const member of group.members.values()) {
    if (member.awaitingSync === null) continue
    context.respondSync(member.awaitingSync, {
      errorCode,
      protocolType: errorCode === ErrorCode.None ? group.protocolType : null,
      protocolName: errorCode === ErrorCode.None ? group.protocolName : null,
      assignment: errorCode === ErrorCode.None ? member.assignment : new Uint8Array(0),
    })
    member.awaitingSync = null
    // The session restarts once the member has its answer.
    context.scheduleHeartbeat(group, member)
  }
}

// JoinGroup, SyncGroup, Heartbeat and LeaveGroup of the classic protocol (Kafka's
// GroupCoordinator handle* methods), including KIP-394 member id assignment and KIP-345 static
// membership. JoinGroup/SyncGroup answers are emitted as completeJoinGroup/completeSyncGroup
// effects, immediately or when the rebalance moves on.
import { ErrorCode } from '../error-codes.ts'
import { ClassicGroup, protocolsMatch } from './classic-group.ts'
import type { GroupMember } from './classic-group.ts'
import type { GroupContext } from './group-context.ts'
import { joinError, syncError } from './group-context.ts'
import {
  maybePrepareRebalance, prepareRebalance, propagateAssignment, removeMemberAndUpdateGroup,
  removePendingSyncMember, tryCompleteJoin,
} from './rebalance.ts'
import { GroupState } from './group-types.ts'
import type { HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, LeaveGroupResult, SyncGroupRequest } from './group-types.ts'

export function joinGroup(context: GroupContext, request: JoinGroupRequest): void {
  const { config } = context
  if (request.groupId === '') return context.respondJoin(request.requestId, joinError(request.memberId, ErrorCode.InvalidGroupId))
  if (request.sessionTimeoutMs < config.groupMinSessionTimeoutMs || request.sessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
    return context.respondJoin(request.requestId, joinError(request.memberId, ErrorCode.InvalidSessionTimeout))
  }
  const isUnknownMember = request.memberId === ''
  let group = context.groups.get(request.groupId)
  if (group === undefined) {
    if (!isUnknownMember) return context.respondJoin(request.requestId, joinError(request.memberId, ErrorCode.UnknownMemberId))
    group = new ClassicGroup(request.groupId, context.nowMs)
    context.groups.set(request.groupId, group)
  }
  if (!acceptJoiningMember(context, group, request.memberId)) {
    const member = group.members.get(request.memberId)
    if (member !== undefined) removeMemberAndUpdateGroup(context, group, member)
    context.respondJoin(request.requestId, joinError('', ErrorCode.GroupMaxSizeReached))
  } else if (isUnknownMember) {
    newMemberJoin(context, group, request)
  } else {
    currentMemberJoin(context, group, request)
  }
  tryCompleteJoin(context, group)
}

function acceptJoiningMember(context: GroupContext, group: ClassicGroup, memberId: string): boolean {
  const maxSize = context.config.groupMaxSize
  switch (group.state) {
    case GroupState.Empty:
    case GroupState.Dead:
      return true
    case GroupState.PreparingRebalance:
      return (group.members.get(memberId)?.awaitingJoin ?? null) !== null || group.numAwaitingJoin < maxSize
    default:
      return group.has(memberId) || group.members.size < maxSize
  }
}

function newMemberJoin(context: GroupContext, group: ClassicGroup, request: JoinGroupRequest): void {
  if (!group.supportsProtocols(request.protocolType, request.protocols.map((protocol) => protocol.name))) {
    return context.respondJoin(request.requestId, joinError('', ErrorCode.InconsistentGroupProtocol))
  }
  const newMemberId = context.newMemberId(request.groupInstanceId ?? request.clientId)
  if (request.groupInstanceId !== null) {
    const oldMemberId = group.staticMemberId(request.groupInstanceId)
    if (oldMemberId !== undefined) return updateStaticMemberAndRebalance(context, group, oldMemberId, newMemberId, request)
    return addMemberAndRebalance(context, group, newMemberId, request)
  }
  if (request.apiVersion >= 4) {
    // KIP-394: hand out the member id first, so a client retrying JoinGroup is recognised.
    group.pendingMembers.add(newMemberId)
    context.schedule({ kind: 'pendingMember', groupId: group.groupId, memberId: newMemberId }, request.sessionTimeoutMs)
    return context.respondJoin(request.requestId, joinError(newMemberId, ErrorCode.MemberIdRequired))
  }
  addMemberAndRebalance(context, group, newMemberId, request)
}

function currentMemberJoin(context: GroupContext, group: ClassicGroup, request: JoinGroupRequest): void {
  const { memberId } = request
  if (!group.supportsProtocols(request.protocolType, request.protocols.map((protocol) => protocol.name))) {
    return context.respondJoin(request.requestId, joinError(memberId, ErrorCode.InconsistentGroupProtocol))
  }
  if (group.pendingMembers.has(memberId)) return addMemberAndRebalance(context, group, memberId, request)
  const error = validateCurrentMember(group, memberId, request.groupInstanceId)
  if (error !== ErrorCode.None) return context.respondJoin(request.requestId, joinError(memberId, error))
  const member = group.get(memberId)
  switch (group.state) {
    case GroupState.PreparingRebalance:
      return updateMemberAndRebalance(context, group, member, request)
    case GroupState.CompletingRebalance:
      // Same metadata: the member probably missed its JoinGroup response; resend it.
      if (protocolsMatch(member.protocols, request.protocols)) return respondCurrentGeneration(context, group, member, request, group.isLeader(memberId))
      return updateMemberAndRebalance(context, group, member, request)
    case GroupState.Stable:
      // The leader rejoining forces a rebalance (it may have seen topic metadata change).
      if (group.isLeader(memberId) || !protocolsMatch(member.protocols, request.protocols)) {
        return updateMemberAndRebalance(context, group, member, request)
      }
      return respondCurrentGeneration(context, group, member, request, false)
    default:
      return context.respondJoin(request.requestId, joinError(memberId, ErrorCode.UnknownMemberId))
  }
}

function respondCurrentGeneration(context: GroupContext, group: ClassicGroup, member: GroupMember, request: JoinGroupRequest, withMembers: boolean): void {
  context.respondJoin(request.requestId, {
    errorCode: ErrorCode.None,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId: member.memberId,
    members: withMembers ? group.currentMemberMetadata() : [],
  })
}

function addMemberAndRebalance(context: GroupContext, group: ClassicGroup, memberId: string, request: JoinGroupRequest): void {
  const member: GroupMember = {
    memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: request.clientId,
    clientHost: request.clientHost,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    sessionTimeoutMs: request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
    assignment: new Uint8Array(0),
    awaitingJoin: request.requestId,
    awaitingSync: null,
    isNew: true,
  }
  if (group.is(GroupState.PreparingRebalance) && group.generationId === 0 && group.joinPhase !== null) group.joinPhase.newMemberAdded = true
  group.add(member)
  context.cancel({ kind: 'pendingMember', groupId: group.groupId, memberId })
  // A new member cannot heartbeat while its JoinGroup waits; bound that wait instead.
  context.scheduleHeartbeat(group, member, context.config.newMemberJoinTimeoutMs)
  maybePrepareRebalance(context, group)
}

function updateMember(context: GroupContext, member: GroupMember, request: JoinGroupRequest): void {
  // A second JoinGroup from the same member supersedes the first; answer the first so it does not dangle.
  if (member.awaitingJoin !== null) context.respondJoin(member.awaitingJoin, joinError(member.memberId, ErrorCode.RebalanceInProgress))
  member.protocols = request.protocols
  member.rebalanceTimeoutMs = request.rebalanceTimeoutMs
  member.sessionTimeoutMs = request.sessionTimeoutMs
  member.clientId = request.clientId
  member.clientHost = request.clientHost
  member.awaitingJoin = request.requestId
}

function updateMemberAndRebalance(context: GroupContext, group: ClassicGroup, member: GroupMember, request: JoinGroupRequest): void {
  updateMember(context, member, request)
  maybePrepareRebalance(context, group)
}

function updateStaticMemberAndRebalance(
  context: GroupContext, group: ClassicGroup, oldMemberId: string, newMemberId: string, request: JoinGroupRequest,
): void {
  const currentLeader = group.leaderId ?? ''
  const old = group.get(oldMemberId)
  // The previous incarnation of this static member is fenced: answer anything it waits for.
  if (old.awaitingJoin !== null) context.respondJoin(old.awaitingJoin, joinError(oldMemberId, ErrorCode.FencedInstanceId))
  if (old.awaitingSync !== null) context.respondSync(old.awaitingSync, syncError(ErrorCode.FencedInstanceId))
  old.awaitingJoin = null
  old.awaitingSync = null
  context.cancel({ kind: 'heartbeat', groupId: group.groupId, memberId: oldMemberId })
  const member = group.replaceStaticMember(request.groupInstanceId as string, oldMemberId, newMemberId)
  updateMember(context, member, request)
  context.scheduleHeartbeat(group, member)
  switch (group.state) {
    case GroupState.Stable:
      if (group.selectProtocol() !== group.protocolName) return maybePrepareRebalance(context, group)
      // Same selected protocol: no rebalance, just persist the new member id.
      context.storeGroup(group)
      member.awaitingJoin = null
      if (request.apiVersion >= 9) {
        // KIP-814: a static leader learns it leads but must not run the assignor.
        const isLeader = group.isLeader(newMemberId)
        return respondStatic(context, group, request, newMemberId, group.leaderId ?? '', isLeader)
      }
      // Older clients: report the old leader id so the rejoined leader does not assign.
      return respondStatic(context, group, request, newMemberId, currentLeader, false)
    case GroupState.CompletingRebalance:
      // The leader may be assigning to the old member id: start over.
      return prepareRebalance(context, group)
    default:
      return
  }
}

function respondStatic(context: GroupContext, group: ClassicGroup, request: JoinGroupRequest, memberId: string, leader: string, skipAssignment: boolean): void {
  context.respondJoin(request.requestId, {
    errorCode: ErrorCode.None,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader,
    skipAssignment,
    memberId,
    members: skipAssignment ? group.currentMemberMetadata() : [],
  })
}

/** Static members must present the member id currently mapped to their instance id. */
export function validateCurrentMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const currentMemberId = group.staticMemberId(groupInstanceId)
    if (currentMemberId === undefined) return ErrorCode.UnknownMemberId
    if (currentMemberId !== memberId) return ErrorCode.FencedInstanceId
  }
  return group.has(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId
}

export function syncGroup(context: GroupContext, request: SyncGroupRequest): void {
  const respond = (errorCode: number) => context.respondSync(request.requestId, syncError(errorCode))
  if (request.groupId === '') return respond(ErrorCode.InvalidGroupId)
  const group = context.groups.get(request.groupId)
  if (group === undefined) return respond(ErrorCode.UnknownMemberId)
  const error = validateCurrentMember(group, request.memberId, request.groupInstanceId)
  if (error !== ErrorCode.None) return respond(error)
  if (request.generationId !== group.generationId) return respond(ErrorCode.IllegalGeneration)
  if (request.protocolType !== null && request.protocolType !== group.protocolType) return respond(ErrorCode.InconsistentGroupProtocol)
  if (request.protocolName !== null && request.protocolName !== group.protocolName) return respond(ErrorCode.InconsistentGroupProtocol)
  const member = group.get(request.memberId)
  switch (group.state) {
    case GroupState.PreparingRebalance:
      return respond(ErrorCode.RebalanceInProgress)
    case GroupState.CompletingRebalance:
      if (member.awaitingSync !== null) context.respondSync(member.awaitingSync, syncError(ErrorCode.RebalanceInProgress))
      member.awaitingSync = request.requestId
      removePendingSyncMember(context, group, member.memberId)
      if (group.isLeader(member.memberId)) completeAssignment(context, group, request)
      return
    case GroupState.Stable:
      removePendingSyncMember(context, group, member.memberId)
      context.respondSync(request.requestId, {
        errorCode: ErrorCode.None, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment,
      })
      return context.scheduleHeartbeat(group, member)
    default:
      return respond(ErrorCode.UnknownMemberId)
  }
}

/** The leader's SyncGroup: store the assignment, answer every waiting member, become Stable. */
function completeAssignment(context: GroupContext, group: ClassicGroup, request: SyncGroupRequest): void {
  const assignments = new Map(request.assignments.map((entry) => [entry.memberId, entry.assignment]))
  for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? new Uint8Array(0)
  context.storeGroup(group)
  propagateAssignment(context, group, ErrorCode.None)
  group.transitionTo(GroupState.Stable, context.nowMs)
}

export function heartbeat(context: GroupContext, request: HeartbeatRequest): number {
  if (request.groupId === '') return ErrorCode.InvalidGroupId
  const group = context.groups.get(request.groupId)
  if (group === undefined) return ErrorCode.UnknownMemberId
  const error = validateCurrentMember(group, request.memberId, request.groupInstanceId)
  if (error !== ErrorCode.None) return error
  if (request.generationId !== group.generationId) return ErrorCode.IllegalGeneration
  if (group.is(GroupState.Empty)) return ErrorCode.UnknownMemberId
  context.scheduleHeartbeat(group, group.get(request.memberId))
  return group.is(GroupState.PreparingRebalance) ? ErrorCode.RebalanceInProgress : ErrorCode.None
}

export function leaveGroup(context: GroupContext, request: LeaveGroupRequest): LeaveGroupResult {
  if (request.groupId === '') return { errorCode: ErrorCode.InvalidGroupId, members: [] }
  const group = context.groups.get(request.groupId)
  const members = request.members.map((leaving) => {
    const result = (errorCode: number) => ({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode })
    if (group === undefined) return result(ErrorCode.UnknownMemberId)
    if (leaving.memberId === '') {
      // Administrative removal of a static member by its instance id (AdminClient removeMembersFromConsumerGroup).
      const currentMemberId = group.staticMemberId(leaving.groupInstanceId)
      if (currentMemberId === undefined) return result(ErrorCode.UnknownMemberId)
      removeMemberAndUpdateGroup(context, group, group.get(currentMemberId))
      return result(ErrorCode.None)
    }
    if (group.pendingMembers.delete(leaving.memberId)) {
      context.cancel({ kind: 'pendingMember', groupId: group.groupId, memberId: leaving.memberId })
      tryCompleteJoin(context, group)
      return result(ErrorCode.None)
    }
    const error = validateCurrentMember(group, leaving.memberId, leaving.groupInstanceId)
    if (error === ErrorCode.None) removeMemberAndUpdateGroup(context, group, group.get(leaving.memberId))
    return result(error)
  })
  return { errorCode: ErrorCode.None, members }
}

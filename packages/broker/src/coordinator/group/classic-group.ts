// The in-memory model of one classic group: members, static-member mapping, the protocol
// votes and the bookkeeping a rebalance needs (who is awaiting JoinGroup/SyncGroup). It knows
// nothing of timers or the log; the coordinator functions drive it.
import type { RequestId } from '../effects.ts'
import { GroupState } from './group-types.ts'
import type { GroupProtocol, JoinGroupResponseMember } from './group-types.ts'

export interface GroupMember {
  memberId: string
  readonly groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  readonly protocolType: string
  protocols: readonly GroupProtocol[]
  assignment: Uint8Array
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: RequestId | null
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: RequestId | null
  /** Joined during the current rebalance and has not yet received a JoinGroup response. */
  isNew: boolean
}

export interface OffsetAndMetadata {
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string | null
  readonly commitTimestampMs: number
}

/** A rebalance in preparation: how long the join phase may still be extended. */
export interface JoinPhase {
  /** True while the initial delay (group.initial.rebalance.delay.ms) runs: no early completion. */
  initialDelay: boolean
  remainingRebalanceMs: number
  newMemberAdded: boolean
}

const validPreviousStates: Record<GroupState, readonly GroupState[]> = {
  Empty: [GroupState.PreparingRebalance],
  PreparingRebalance: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  CompletingRebalance: [GroupState.PreparingRebalance],
  Stable: [GroupState.CompletingRebalance],
  Dead: [GroupState.Stable, GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Empty, GroupState.Dead],
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export class ClassicGroup {
  readonly groupId: string
  state: GroupState = GroupState.Empty
  /** When the group entered its current state (drives offset expiration of Empty groups). */
  currentStateTimestampMs: number | null
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, GroupMember>()
  readonly staticMembers = new Map<string, string>()
  /** Dynamic members told MEMBER_ID_REQUIRED that have not rejoined yet (KIP-394). */
  readonly pendingMembers = new Set<string>()
  /** Members that have not sent SyncGroup since the last join phase completed. */
  readonly pendingSyncMembers = new Set<string>()
  joinPhase: JoinPhase | null = null
  readonly offsets = new Map<string, { topic: string; partition: number; value: OffsetAndMetadata }>()
  /** Transactional offsets not yet committed by a marker, per producerId. */
  readonly pendingTransactionalOffsets = new Map<number, Map<string, { topic: string; partition: number; value: OffsetAndMetadata }>>()

  constructor(groupId: string, nowMs: number | null) {
    this.groupId = groupId
    this.currentStateTimestampMs = nowMs
  }

  is(state: GroupState): boolean {
    return this.state === state
  }

  transitionTo(target: GroupState, nowMs: number): void {
    if (!validPreviousStates[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`)
    }
    this.state = target
    this.currentStateTimestampMs = nowMs
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  get(memberId: string): GroupMember {
    const member = this.members.get(memberId)
    if (member === undefined) throw new Error(`group ${this.groupId} has no member ${memberId}`)
    return member
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    if (this.leaderId === null) this.leaderId = member.memberId
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.pendingMembers.delete(member.memberId)
  }

  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId)
    this.pendingMembers.delete(memberId)
    if (member === undefined) return undefined
    this.members.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
    return member
  }

  /** Moves a static member to a new member id (a static member restarting with no member id). */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.get(oldMemberId)
    this.members.delete(oldMemberId)
    member.memberId = newMemberId
    this.members.set(newMemberId, member)
    this.staticMembers.set(groupInstanceId, newMemberId)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    return member
  }

  staticMemberId(groupInstanceId: string | null): string | undefined {
    return groupInstanceId === null ? undefined : this.staticMembers.get(groupInstanceId)
  }

  get numAwaitingJoin(): number {
    let count = 0
    for (const member of this.members.values()) if (member.awaitingJoin !== null) count++
    return count
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingMembers.size === 0
  }

  /** The largest rebalance timeout of the members: how long a join phase may last. */
  get rebalanceTimeoutMs(): number {
    let timeoutMs = 0
    for (const member of this.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs)
    return timeoutMs
  }

  canRebalance(): boolean {
    return validPreviousStates.PreparingRebalance.includes(this.state)
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const counts = new Map<string, number>()
    for (const member of this.members.values()) {
      for (const name of new Set(member.protocols.map((protocol) => protocol.name))) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    return new Set([...counts].filter(([, count]) => count === this.members.size).map(([name]) => name))
  }

  /** Can a member with this protocol type and protocol list join? */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.is(GroupState.Empty)) return protocolType !== '' && protocolNames.length > 0
    if (this.protocolType !== protocolType) return false
    const candidates = this.candidateProtocols()
    return protocolNames.some((name) => candidates.has(name))
  }

  /**
   * Each member votes for its most preferred protocol among those all members support; the
   * protocol with most votes wins (ties: the one voted for first, in member join order).
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const member of this.members.values()) {
      const choice = member.protocols.find((protocol) => candidates.has(protocol.name))
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1)
    }
    let best: string | null = null
    for (const [name, count] of votes) if (best === null || count > (votes.get(best) ?? 0)) best = name
    if (best === null) throw new Error(`group ${this.groupId} has no protocol common to all members`)
    return best
  }

  /** If the leader has not rejoined, hands leadership to a member that has. False if none has. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader !== undefined && leader.awaitingJoin !== null) return true
    for (const member of this.members.values()) {
      if (member.awaitingJoin !== null) {
        this.leaderId = member.memberId
        return true
      }
    }
    return false
  }

  /** Members in the shape of a JoinGroup response, with metadata of the selected protocol. */
  currentMemberMetadata(): JoinGroupResponseMember[] {
    return [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      metadata: memberMetadata(member, this.protocolName),
    }))
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingTransactionalOffsets.size > 0
  }

  hasPendingTransactionalOffset(key: string): boolean {
    for (const pending of this.pendingTransactionalOffsets.values()) if (pending.has(key)) return true
    return false
  }
}

export function memberMetadata(member: GroupMember, protocolName: string | null): Uint8Array {
  return member.protocols.find((protocol) => protocol.name === protocolName)?.metadata ?? new Uint8Array(0)
}

/** Same protocols, same order, same metadata bytes. */
export function protocolsMatch(left: readonly GroupProtocol[], right: readonly GroupProtocol[]): boolean {
  return left.length === right.length && left.every((protocol, index) =>
    protocol.name === right[index].name && bytesEqual(protocol.metadata, right[index].metadata))
}

function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index])
}

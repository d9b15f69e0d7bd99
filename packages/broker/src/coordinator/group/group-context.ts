// Shared state of the group coordinator's functions: the groups, the armed timers and the
// effects collected by the call in progress. Each public coordinator call begins a context
// (setting nowMs, clearing effects) and finishes it (handing the effects back).
import type { CoordinatorRecord, RequestId, TransactionalAppend } from '../effects.ts'
import { partitionForKey } from '../record-codec.ts'
import type { ClassicGroup, GroupMember } from './classic-group.ts'
import { memberMetadata } from './classic-group.ts'
import { groupMetadataRecord } from './group-records.ts'
import type { GroupMetadataValue } from './group-records.ts'
import { OFFSETS_TOPIC } from './group-types.ts'
import type { GroupCoordinatorConfig, GroupEffect, JoinGroupResult, SyncGroupResult } from './group-types.ts'

export type GroupTimer =
  | { readonly kind: 'heartbeat'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'pendingMember'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'join'; readonly groupId: string }
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number }
  | { readonly kind: 'offsetExpiration' }

/** The shell-visible timer id: stable for a given timer, so re-scheduling replaces it. */
export function groupTimerId(timer: GroupTimer): string {
  switch (timer.kind) {
    case 'heartbeat':
    case 'pendingMember':
      return `group:${timer.kind}:${JSON.stringify([timer.groupId, timer.memberId])}`
    case 'join':
    case 'sync':
      return `group:${timer.kind}:${JSON.stringify([timer.groupId])}`
    case 'offsetExpiration':
      return 'group:offsetExpiration'
  }
}

export class GroupContext {
  readonly config: GroupCoordinatorConfig
  readonly groups = new Map<string, ClassicGroup>()
  readonly timers = new Map<string, { timer: GroupTimer; deadlineMs: number }>()
  readonly newMemberId: (prefix: string) => string
  nowMs = 0
  effects: GroupEffect[] = []

  constructor(config: GroupCoordinatorConfig, newMemberId: (prefix: string) => string) {
    this.config = config
    this.newMemberId = newMemberId
  }

  begin(nowMs: number): void {
    this.nowMs = nowMs
    this.effects = []
  }

  finish(): GroupEffect[] {
    const effects = this.effects
    this.effects = []
    return effects
  }

  schedule(timer: GroupTimer, delayMs: number): void {
    const timerId = groupTimerId(timer)
    const deadlineMs = this.nowMs + Math.max(0, delayMs)
    this.timers.set(timerId, { timer, deadlineMs })
    this.effects.push({ type: 'scheduleTimer', timerId, deadlineMs })
  }

  cancel(timer: GroupTimer): void {
    const timerId = groupTimerId(timer)
    if (this.timers.delete(timerId)) this.effects.push({ type: 'cancelTimer', timerId })
  }

  respondJoin(requestId: RequestId, response: JoinGroupResult): void {
    this.effects.push({ type: 'completeJoinGroup', requestId, response })
  }

  respondSync(requestId: RequestId, response: SyncGroupResult): void {
    this.effects.push({ type: 'completeSyncGroup', requestId, response })
  }

  partitionFor(groupId: string): number {
    return partitionForKey(groupId, this.config.offsetsTopicPartitionCount)
  }

  append(groupId: string, records: CoordinatorRecord[], transaction: TransactionalAppend | null = null): void {
    if (records.length === 0) return
    this.effects.push({ type: 'appendRecords', topic: OFFSETS_TOPIC, partition: this.partitionFor(groupId), records, transaction })
  }

  /** Persists the group's membership and assignments (Kafka's storeGroup). */
  storeGroup(group: ClassicGroup): void {
    this.append(group.groupId, [groupMetadataRecord(group.groupId, groupMetadataValue(group))])
  }

  scheduleHeartbeat(group: ClassicGroup, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    this.schedule({ kind: 'heartbeat', groupId: group.groupId, memberId: member.memberId }, timeoutMs)
  }
}

export function groupMetadataValue(group: ClassicGroup): GroupMetadataValue {
  return {
    protocolType: group.protocolType,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leader: group.leaderId,
    currentStateTimestampMs: group.currentStateTimestampMs ?? -1,
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      sessionTimeoutMs: member.sessionTimeoutMs,
      subscription: memberMetadata(member, group.protocolName),
      assignment: member.assignment,
    })),
  }
}

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] }
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) }
}

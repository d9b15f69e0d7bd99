// DescribeGroups, ListGroups and DeleteGroups over the classic groups.
import type { CoordinatorRecord } from '../effects.ts'
import { ErrorCode } from '../error-codes.ts'
import { memberMetadata } from './classic-group.ts'
import type { GroupContext } from './group-context.ts'
import { groupMetadataRecord, offsetCommitRecord } from './group-records.ts'
import { GroupState } from './group-types.ts'
import type { DescribedGroup, ListedGroup } from './group-types.ts'

export function describeGroup(context: GroupContext, groupId: string, apiVersion: number): DescribedGroup {
  const group = context.groups.get(groupId)
  if (group === undefined) {
    // v6+ reports a missing group as GROUP_ID_NOT_FOUND; older versions as a Dead group.
    const errorCode = apiVersion >= 6 ? ErrorCode.GroupIdNotFound : ErrorCode.None
    return { errorCode, groupId, groupState: GroupState.Dead, protocolType: '', protocolData: '', members: [] }
  }
  // Member metadata and assignments are shown only for a Stable group, as in Kafka.
  const stable = group.is(GroupState.Stable)
  return {
    errorCode: ErrorCode.None,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? group.protocolName ?? '' : '',
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      memberMetadata: stable ? memberMetadata(member, group.protocolName) : new Uint8Array(0),
      memberAssignment: stable ? member.assignment : new Uint8Array(0),
    })),
  }
}

/** statesFilter (ListGroups v4+) matches case-insensitively; typesFilter (v5+) knows only "classic". */
export function listGroups(context: GroupContext, statesFilter: readonly string[], typesFilter: readonly string[]): ListedGroup[] {
  const states = new Set(statesFilter.map((state) => state.toLowerCase()))
  const types = new Set(typesFilter.map((type) => type.toLowerCase()))
  if (types.size > 0 && !types.has('classic')) return []
  return [...context.groups.values()]
    .filter((group) => states.size === 0 || states.has(group.state.toLowerCase()))
    .map((group) => ({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' as const }))
}

export function deleteGroups(context: GroupContext, groupIds: readonly string[]): Array<{ groupId: string; errorCode: number }> {
  return groupIds.map((groupId) => {
    const group = context.groups.get(groupId)
    if (group === undefined || group.is(GroupState.Dead)) return { groupId, errorCode: ErrorCode.GroupIdNotFound }
    if (!group.is(GroupState.Empty)) return { groupId, errorCode: ErrorCode.NonEmptyGroup }
    group.transitionTo(GroupState.Dead, context.nowMs)
    context.groups.delete(groupId)
    for (const memberId of group.pendingMembers) context.cancel({ kind: 'pendingMember', groupId, memberId })
    const records: CoordinatorRecord[] = [...group.offsets.values()].map(({ topic, partition }) => offsetCommitRecord(groupId, topic, partition, null))
    records.push(groupMetadataRecord(groupId, null))
    context.append(groupId, records)
    return { groupId, errorCode: ErrorCode.None }
  })
}

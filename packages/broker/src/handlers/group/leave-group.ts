// LeaveGroup (api key 13): v0-5.
// Version notes: v0-2 name one memberId and answer one top-level error; v3 batches members
// (memberId + groupInstanceId) with per-member errors (KIP-345); v4 is the first flexible
// version; v5 adds a per-member reason (KIP-800).
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { LeaveGroupRequest, LeaveGroupResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

const batchedVersion = 3

export const leaveGroup = defineHandler(
  ApiKey.LeaveGroup,
  {
    versions: [0, 5],
    errorResponse: (_request: LeaveGroupRequest, errorCode: number): LeaveGroupResponse => ({ throttleTimeMs: 0, errorCode, members: [] }),
  },
  async (request: LeaveGroupRequest, context: RequestContext): Promise<LeaveGroupResponse> => {
    const batched = context.apiVersion >= batchedVersion
    const members = batched
      ? request.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, reason: member.reason }))
      : [{ memberId: request.memberId, groupInstanceId: null }]
    const coordination = coordinationOf(context)
    const result = await coordination.runGroup(coordination.groups.leaveGroup({ groupId: request.groupId, members }, context.broker.clock.nowMs()))
    if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members.map((member) => ({ ...member })) }
    const memberError = result.members[0]?.errorCode ?? ErrorCode.None
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.None ? result.errorCode : memberError, members: [] }
  },
)

// SyncGroup (api key 14): v0-5.
// Version notes: v3 adds groupInstanceId; v4 is the first flexible version; v5 adds
// protocolType/protocolName to request and response (checked against the group's, KIP-559).
// Followers' SyncGroup is parked until the leader's assignment arrives (completeSyncGroup effect).
import { ApiKey } from '@tributary/protocol'
import type { SyncGroupRequest, SyncGroupResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

const protocolFieldsVersion = 5

export const syncGroup = defineHandler(
  ApiKey.SyncGroup,
  {
    versions: [0, 5],
    errorResponse: (_request: SyncGroupRequest, errorCode: number): SyncGroupResponse => ({
      throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0),
    }),
  },
  async (request: SyncGroupRequest, context: RequestContext): Promise<SyncGroupResponse> => {
    const hasProtocolFields = context.apiVersion >= protocolFieldsVersion
    const result = await coordinationOf(context).syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: hasProtocolFields ? request.protocolType : null,
      protocolName: hasProtocolFields ? request.protocolName : null,
      assignments: request.assignments.map((assignment) => ({ memberId: assignment.memberId, assignment: assignment.assignment })),
    })
    return { throttleTimeMs: 0, errorCode: result.errorCode, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment }
  },
)

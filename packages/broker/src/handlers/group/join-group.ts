// JoinGroup (api key 11): v0-9.
// Version notes: v1 adds rebalanceTimeoutMs (v0 uses the session timeout for both); v4 makes a
// new member without id get MEMBER_ID_REQUIRED with its id, then join again (KIP-394); v5 adds
// groupInstanceId (static membership, KIP-345); v6 is the first flexible version; v7 adds the
// response protocolType (protocolName nullable); v8 adds reason (KIP-800); v9 adds the
// response skipAssignment. The response is parked until the rebalance completes (the
// coordination shell resolves it from a completeJoinGroup effect).
import { ApiKey } from '@tributary/protocol'
import type { JoinGroupRequest, JoinGroupResponse } from '@tributary/protocol'
import type { JoinGroupResult } from '../../coordinator/index.ts'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

/** Versions whose response protocolName is nullable. */
const nullableProtocolNameVersion = 7

export const joinGroup = defineHandler(
  ApiKey.JoinGroup,
  {
    versions: [0, 9],
    errorResponse: (_request: JoinGroupRequest, errorCode: number): JoinGroupResponse => ({
      throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: '', leader: '', skipAssignment: false, memberId: '', members: [],
    }),
  },
  async (request: JoinGroupRequest, context: RequestContext): Promise<JoinGroupResponse> => {
    const result = await coordinationOf(context).joinGroup({
      apiVersion: context.apiVersion,
      groupId: request.groupId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: context.apiVersion === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocols: request.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata })),
      clientId: context.clientId ?? '',
      clientHost: `/${context.connection.remoteAddress}`,
      reason: request.reason,
    })
    return responseOf(result, context.apiVersion)
  },
)

function responseOf(result: JoinGroupResult, apiVersion: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generationId,
    protocolType: result.protocolType,
    protocolName: apiVersion >= nullableProtocolNameVersion ? result.protocolName : result.protocolName ?? '',
    leader: result.leader,
    skipAssignment: result.skipAssignment,
    memberId: result.memberId,
    members: result.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: member.metadata })),
  }
}

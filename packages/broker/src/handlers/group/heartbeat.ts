// Heartbeat (api key 12): v0-4.
// Version notes: v1-2 are the same as v0; v3 adds groupInstanceId; v4 is the first flexible
// version. REBALANCE_IN_PROGRESS tells the member to rejoin.
import { ApiKey } from '@tributary/protocol'
import type { HeartbeatRequest, HeartbeatResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

export const heartbeat = defineHandler(
  ApiKey.Heartbeat,
  {
    versions: [0, 4],
    errorResponse: (_request: HeartbeatRequest, errorCode: number): HeartbeatResponse => ({ throttleTimeMs: 0, errorCode }),
  },
  async (request: HeartbeatRequest, context: RequestContext): Promise<HeartbeatResponse> => {
    const coordination = coordinationOf(context)
    const errorCode = await coordination.runGroup(coordination.groups.heartbeat({
      groupId: request.groupId, generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId,
    }, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, errorCode }
  },
)

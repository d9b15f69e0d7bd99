// DeleteGroups (api key 42): v0-2.
// Version notes: v1 is the same as v0; v2 is the first flexible version. Only empty (or dead)
// groups can be deleted: NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for unknown ones.
import { ApiKey } from '@tributary/protocol'
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

export const deleteGroups = defineHandler(
  ApiKey.DeleteGroups,
  {
    versions: [0, 2],
    errorResponse: (request: DeleteGroupsRequest, errorCode: number): DeleteGroupsResponse => ({
      throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
    }),
  },
  async (request: DeleteGroupsRequest, context: RequestContext): Promise<DeleteGroupsResponse> => {
    const coordination = coordinationOf(context)
    const results = await coordination.runGroup(coordination.groups.deleteGroups(request.groupsNames, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, results: results.map((result) => ({ ...result })) }
  },
)

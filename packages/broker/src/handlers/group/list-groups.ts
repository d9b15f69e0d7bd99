// ListGroups (api key 16): v0-5.
// Version notes: v1-2 are the same as v0; v3 is the first flexible version; v4 adds
// statesFilter and the groups' state (KIP-518); v5 adds typesFilter and groupType (KIP-848;
// every group here is "classic").
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { ListGroupsRequest, ListGroupsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

export const listGroups = defineHandler(
  ApiKey.ListGroups,
  {
    versions: [0, 5],
    errorResponse: (_request: ListGroupsRequest, errorCode: number): ListGroupsResponse => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  },
  (request: ListGroupsRequest, context: RequestContext): ListGroupsResponse => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.None,
    groups: coordinationOf(context).groups.listGroups(request.statesFilter, request.typesFilter).map((group) => ({ ...group })),
  }),
)

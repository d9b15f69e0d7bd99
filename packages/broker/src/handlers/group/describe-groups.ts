// DescribeGroups (api key 15): v0-5.
// Version notes: v1-2 are the same as v0; v3 adds includeAuthorizedOperations and the
// response authorizedOperations; v4 adds the members' groupInstanceId; v5 is the first
// flexible version. Unknown groups are described as Dead with no error (as Kafka does).
// Not implemented: authorized operations (no ACLs: always "not requested", INT32_MIN).
import { ApiKey } from '@tributary/protocol'
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

const authorizedOperationsOmitted = -2147483648

export const describeGroups = defineHandler(
  ApiKey.DescribeGroups,
  {
    versions: [0, 5],
    errorResponse: (request: DescribeGroupsRequest, errorCode: number): DescribeGroupsResponse => ({
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted })),
    }),
    notImplemented: ['authorized operations (no ACLs)'],
  },
  (request: DescribeGroupsRequest, context: RequestContext): DescribeGroupsResponse => ({
    throttleTimeMs: 0,
    groups: coordinationOf(context).groups.describeGroups(request.groups, context.apiVersion).map((group) => ({
      errorCode: group.errorCode,
      groupId: group.groupId,
      groupState: group.groupState,
      protocolType: group.protocolType,
      protocolData: group.protocolData,
      members: group.members.map((member) => ({ ...member })),
      authorizedOperations: authorizedOperationsOmitted,
    })),
  }),
)

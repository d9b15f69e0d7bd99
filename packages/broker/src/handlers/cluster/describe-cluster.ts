// DescribeCluster (api key 60): v0-1.
// Version notes: v0 is flexible from the start; v1 adds endpointType (1 = brokers,
// 2 = controllers, KIP-919). One node answers both roles, so both endpoint types list it.
// Not implemented: authorized operations (always -2147483648).
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { DescribeClusterRequest, DescribeClusterResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'

export const describeCluster = defineHandler(
  ApiKey.DescribeCluster,
  { versions: [0, 1], notImplemented: ['authorized operations (always -2147483648)'] },
  (request: DescribeClusterRequest, context: RequestContext): DescribeClusterResponse => {
    const { broker } = context
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.None,
      errorMessage: null,
      endpointType: request.endpointType,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    }
  },
)

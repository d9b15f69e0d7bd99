// FindCoordinator (api key 10): v0-5.
// Version notes: v1 adds keyType (0 group, 1 transaction) and errorMessage; v3 is the first
// flexible version; v4 batches several keys (coordinatorKeys → coordinators[], KIP-699) and
// drops the top-level fields; v5 only allows TRANSACTION_ABORTABLE. A single node coordinates
// every group and transactional id, so the answer is always this node once the key is valid.
// Not implemented: share group keys (keyType 2, FindCoordinator v6).
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { FindCoordinatorRequest, FindCoordinatorResponse, FindCoordinatorResponseCoordinator } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'

export const CoordinatorKeyType = { Group: 0, Transaction: 1 } as const

const batchedVersion = 4
/** The top-level fields of a v4+ response, which the version lacks (they keep the spec defaults). */
const batchedDefaults = { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0 }

export const findCoordinator = defineHandler(
  ApiKey.FindCoordinator,
  {
    versions: [0, 5],
    // v4+ requests carry coordinatorKeys (v0-3 decode it empty); fields a version lacks keep their defaults.
    errorResponse: (request: FindCoordinatorRequest, errorCode: number): FindCoordinatorResponse => request.coordinatorKeys.length > 0
      ? { ...batchedDefaults, coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null })) }
      : { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators: [] },
    notImplemented: ['share group coordinators (keyType 2)'],
  },
  (request: FindCoordinatorRequest, context: RequestContext): FindCoordinatorResponse => {
    if (context.apiVersion >= batchedVersion) {
      const coordinators = request.coordinatorKeys.map((key) => coordinatorFor(key, request.keyType, context))
      return { ...batchedDefaults, coordinators }
    }
    const found = coordinatorFor(request.key, request.keyType, context)
    return { throttleTimeMs: 0, errorCode: found.errorCode, errorMessage: found.errorMessage, nodeId: found.nodeId, host: found.host, port: found.port, coordinators: [] }
  },
)

function coordinatorFor(key: string, keyType: number, context: RequestContext): FindCoordinatorResponseCoordinator {
  const fail = (errorCode: number, errorMessage: string) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage })
  if (keyType !== CoordinatorKeyType.Group && keyType !== CoordinatorKeyType.Transaction) return fail(ErrorCode.InvalidRequest, `unknown coordinator key type ${keyType}`)
  if (keyType === CoordinatorKeyType.Transaction && key === '') return fail(ErrorCode.InvalidRequest, 'the transactional id must not be empty')
  const { broker } = context
  return { key, nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, errorCode: ErrorCode.None, errorMessage: null }
}

// IncrementalAlterConfigs (api key 44): v0-1.
// Version notes: v1 is the first flexible version. Operations per config: SET (0), DELETE (1,
// back to the default), APPEND (2) and SUBTRACT (3) for list configs (cleanup.policy). Unknown
// config names → INVALID_CONFIG with a message; the same name twice → INVALID_REQUEST. All
// operations of one resource apply together or not at all.
// Not implemented: broker resources (static configs → INVALID_REQUEST), alter-config policies.
import { ApiKey } from '@tributary/protocol'
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { alterTopicConfigs } from '../../cluster/config-resources.ts'

export const incrementalAlterConfigs = defineHandler(
  ApiKey.IncrementalAlterConfigs,
  {
    versions: [0, 1],
    errorResponse: (request: IncrementalAlterConfigsRequest, errorCode: number): IncrementalAlterConfigsResponse => ({
      throttleTimeMs: 0,
      responses: request.resources.map((resource) => ({ errorCode, errorMessage: null, resourceType: resource.resourceType, resourceName: resource.resourceName })),
    }),
    notImplemented: ['broker resources (static configs)', 'alter config policies'],
  },
  (request: IncrementalAlterConfigsRequest, context: RequestContext): IncrementalAlterConfigsResponse => ({
    throttleTimeMs: 0,
    responses: request.resources.map((resource) => ({
      ...alterTopicConfigs(resource.resourceType, resource.resourceName, resource.configs, request.validateOnly, context.broker.cluster),
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    })),
  }),
)

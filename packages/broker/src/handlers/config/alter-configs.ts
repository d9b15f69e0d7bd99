// AlterConfigs (api key 33): v0-2.
// Version notes: v1 changes only throttling behaviour; v2 is the first flexible version. The
// topic's overrides are replaced by exactly the given set (configs not named return to their
// defaults), after validation: an unknown or invalid config → INVALID_CONFIG with a message.
// Not implemented: broker resources (static configs → INVALID_REQUEST), alter-config policies.
import { ApiKey } from '@tributary/protocol'
import type { AlterConfigsRequest, AlterConfigsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { replaceTopicConfigs } from '../../cluster/config-resources.ts'

export const alterConfigs = defineHandler(
  ApiKey.AlterConfigs,
  {
    versions: [0, 2],
    errorResponse: (request: AlterConfigsRequest, errorCode: number): AlterConfigsResponse => ({
      throttleTimeMs: 0,
      responses: request.resources.map((resource) => ({ errorCode, errorMessage: null, resourceType: resource.resourceType, resourceName: resource.resourceName })),
    }),
    notImplemented: ['broker resources (static configs)', 'alter config policies'],
  },
  (request: AlterConfigsRequest, context: RequestContext): AlterConfigsResponse => ({
    throttleTimeMs: 0,
    responses: request.resources.map((resource) => ({
      ...replaceTopicConfigs(resource.resourceType, resource.resourceName, resource.configs, request.validateOnly, context.broker.cluster),
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    })),
  }),
)

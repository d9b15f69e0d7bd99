// DescribeConfigs (api key 32): v0-4.
// Version notes: v1 adds includeSynonyms, synonyms and configSource (replacing isDefault, v0
// only); v2 is unchanged; v3 adds includeDocumentation, configType and documentation; v4 is
// the first flexible version. Resources: topics (every topic config, with its source: topic
// override, broker default or Kafka default) and the broker ('' or our node id; static configs).
// Not implemented: BROKER_LOGGER, GROUP and CLIENT_METRICS resources (INVALID_REQUEST).
import { ApiKey } from '@tributary/protocol'
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { describeConfigResource } from '../../cluster/config-resources.ts'

export const describeConfigs = defineHandler(
  ApiKey.DescribeConfigs,
  {
    versions: [0, 4],
    errorResponse: (request: DescribeConfigsRequest, errorCode: number): DescribeConfigsResponse => ({
      throttleTimeMs: 0,
      results: request.resources.map((resource) => ({ errorCode, errorMessage: null, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] })),
    }),
    notImplemented: ['broker logger, group and client metrics resources'],
  },
  (request: DescribeConfigsRequest, context: RequestContext): DescribeConfigsResponse => {
    const { cluster, config } = context.broker
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => {
        const result = describeConfigResource(resource.resourceType, resource.resourceName, resource.configurationKeys, cluster, config)
        return {
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          configs: result.configs.map((entry) => ({
            name: entry.name,
            value: entry.value,
            readOnly: result.readOnly,
            // v0 reports isDefault; v1+ replaced it with configSource (and it must stay false).
            isDefault: context.apiVersion === 0 ? entry.isDefault : false,
            configSource: entry.source,
            isSensitive: false,
            synonyms: request.includeSynonyms ? entry.synonyms.map((synonym) => ({ ...synonym })) : [],
            configType: entry.type,
            documentation: request.includeDocumentation ? entry.documentation : null,
          })),
        }
      }),
    }
  },
)

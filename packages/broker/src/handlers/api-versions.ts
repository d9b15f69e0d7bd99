// ApiVersions (api key 18): v0-4.
// Version notes: v1 adds throttleTimeMs; v3 is the first flexible version and adds the client
// software name/version (KIP-511) and the tagged supported/finalized features; v4 only changes
// how a client reacts to UNSUPPORTED_VERSION. A request at a version we do not serve is answered
// by the dispatcher with UNSUPPORTED_VERSION in a v0 response listing our ranges (KIP-511).
// Not implemented: feature flags (we send no supported or finalized features).
import { ApiKey, ErrorCode } from '@tributary/protocol'
import { defineHandler } from './define-handler.ts'
import type { ApiVersionsRequest, ApiVersionsResponse } from '@tributary/protocol'
import type { HandlerTable } from './handler-table.ts'

export const apiVersions = defineHandler(
  ApiKey.ApiVersions,
  {
    versions: [0, 4],
    errorResponse: (_request: ApiVersionsRequest, errorCode: number) => ({ ...emptyResponse(), errorCode }),
    notImplemented: ['feature flags (SupportedFeatures / FinalizedFeatures are empty)'],
  },
  (_request: ApiVersionsRequest, context): ApiVersionsResponse => apiVersionsResponse(context.broker.handlers, ErrorCode.None),
)

/** The response listing every API of `table` with its version range. */
export function apiVersionsResponse(table: HandlerTable, errorCode: number): ApiVersionsResponse {
  return {
    ...emptyResponse(),
    errorCode,
    apiKeys: table.definitions.map((definition) => ({ apiKey: definition.apiKey, minVersion: definition.minVersion, maxVersion: definition.maxVersion })),
  }
}

function emptyResponse(): ApiVersionsResponse {
  return {
    errorCode: ErrorCode.None,
    apiKeys: [],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }
}

// Request and response headers. Which header version a message uses depends on its API and
// version: flexible versions use the flexible header (request v2, response v1), with two special
// cases from the specs. ControlledShutdown v0 requests carry no client id (header v0), and
// ApiVersions responses always use header v0 so that a client can read the error code whatever
// version it asked for.
import { ApiKey, apiMessages } from './generated/api-keys.ts'
import { RequestHeader } from './generated/messages/request-header.ts'
import { ResponseHeader } from './generated/messages/response-header.ts'
import type { Reader } from './primitives/reader.ts'
import type { Writer } from './primitives/writer.ts'

/**
 * The request header version for `apiKey` at `apiVersion`: 2 when that version is flexible,
 * else 1 (0 for ControlledShutdown v0). Unknown API keys get 1, which still yields the
 * correlation id and client id, so the broker can answer.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0
  const flexible = apiMessages[apiKey]?.request.flexibleVersions
  return flexible != null && apiVersion >= flexible.min ? 2 : 1
}

/** The response header version for `apiKey` at `apiVersion`: 1 when flexible, else 0; ApiVersions always 0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0
  const flexible = apiMessages[apiKey]?.response.flexibleVersions
  return flexible != null && apiVersion >= flexible.min ? 1 : 0
}

/**
 * Reads a request header: api key and version first, then the rest in the header version they
 * imply. Leaves `reader` at the start of the request body.
 */
export function readRequestHeader(reader: Reader): RequestHeader {
  const start = reader.offset
  const apiKey = reader.readInt16()
  const apiVersion = reader.readInt16()
  reader.offset = start
  return RequestHeader.read(reader, requestHeaderVersion(apiKey, apiVersion))
}

/** Writes a request header in the version its api key and version imply. */
export function writeRequestHeader(writer: Writer, header: RequestHeader): void {
  RequestHeader.write(writer, header, requestHeaderVersion(header.requestApiKey, header.requestApiVersion))
}

/** Writes the response header for a response to `apiKey` at `apiVersion`. */
export function writeResponseHeader(writer: Writer, correlationId: number, apiKey: number, apiVersion: number): void {
  ResponseHeader.write(writer, { correlationId }, responseHeaderVersion(apiKey, apiVersion))
}

/** Reads the response header of a response to `apiKey` at `apiVersion`. */
export function readResponseHeader(reader: Reader, apiKey: number, apiVersion: number): ResponseHeader {
  return ResponseHeader.read(reader, responseHeaderVersion(apiKey, apiVersion))
}

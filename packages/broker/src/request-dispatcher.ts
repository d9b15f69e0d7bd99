// Turns one request frame into one outcome: parse the request header, find the handler, decode,
// handle, encode the response with its header. This is the error boundary of the broker:
// - an unknown api key, an unsupported version or bytes that do not decode close the connection
//   (logged with the reason), except ApiVersions at an unsupported version, which is answered
//   with UNSUPPORTED_VERSION and our version ranges in a v0 response, as Kafka does;
// - a handler that throws is logged with correlation id and api key and answered with
//   UNKNOWN_SERVER_ERROR when its response can carry an error, otherwise the connection closes;
// - a handler that answers `closeConnection(reason)` (Produce acks=0 with a failed partition)
//   closes the connection after the earlier responses, logged at info with the reason.
// No exception ever crosses the wire.
import { ApiKey, ErrorCode, Reader, Writer, readRequestHeader, writeResponseHeader } from '@tributary/protocol'
import type { ConnectionInfo, RequestDispatcher, RequestOutcome } from './network/connection.ts'
import type { BrokerContext, RequestContext } from './request-context.ts'
import type { HandlerDefinition } from './handlers/define-handler.ts'
import { CloseConnection, noResponse } from './handlers/define-handler.ts'
import { apiVersionsResponse } from './handlers/api-versions.ts'

/** Fixed-position part of every request header: apiKey int16, apiVersion int16, correlationId int32. */
const fixedHeaderBytes = 8
/**
 * Byte strings of at least this size (the record batches of a Fetch response, read from the log
 * into buffers of their own) go to the socket by reference instead of being copied into the
 * response buffer; smaller ones are cheaper to copy than to hand to the socket as chunks.
 */
const referenceBytesAtLeast = 4096
// Fetch responses are recyclable (see RequestOutcome): their records are reads made for this
// response alone (log read buffers, see @tributary/log read-buffer-pool.ts), never shared with
// other state, so the connection may give the buffers back to the pool once they are sent. A
// response that embeds bytes kept elsewhere (group state, caches) must not be marked so.

/** The dispatcher of a broker. */
export function createRequestDispatcher(broker: BrokerContext): RequestDispatcher {
  const dispatcher = (frame: Buffer, connection: ConnectionInfo): RequestOutcome | Promise<RequestOutcome> => dispatch(frame, connection, broker)
  // Only handlers that say so: most keep views of their request (group metadata, assignments...).
  const releasesFrame = (frame: Buffer): boolean => frame.length >= 2 && broker.handlers.get(frame.readInt16BE(0))?.releasesRequestBytes === true
  return Object.assign(dispatcher, { releasesFrame })
}

function dispatch(frame: Buffer, connection: ConnectionInfo, broker: BrokerContext): RequestOutcome | Promise<RequestOutcome> {
  if (frame.length < fixedHeaderBytes) return close(broker, connection, `request of ${frame.length} bytes is shorter than a request header`)
  const apiKey = frame.readInt16BE(0)
  const apiVersion = frame.readInt16BE(2)
  const correlationId = frame.readInt32BE(4)
  const handler = broker.handlers.get(apiKey)
  if (handler === undefined) return close(broker, connection, `unknown api key ${apiKey}`, { correlationId })
  if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
    if (apiKey === ApiKey.ApiVersions) return unsupportedApiVersions(broker, correlationId)
    return close(broker, connection, `unsupported version ${apiVersion} of ${handler.name} (we serve ${handler.minVersion}-${handler.maxVersion})`, { correlationId, apiKey })
  }
  let request: unknown
  let clientId: string | null
  try {
    const reader = new Reader(frame)
    clientId = readRequestHeader(reader).clientId
    request = handler.requestCodec.read(reader, apiVersion)
  } catch (error) {
    return close(broker, connection, `cannot decode ${handler.name} v${apiVersion}: ${(error as Error).message}`, { correlationId, apiKey })
  }
  const context: RequestContext = { apiKey, apiVersion, correlationId, clientId, connection, broker }
  let result: unknown
  try {
    result = handler.handle(request, context)
  } catch (error) {
    return failed(handler, request, context, error)
  }
  if (result instanceof Promise) {
    return result.then(
      (response: unknown) => respond(handler, request, response, context),
      (error: unknown) => failed(handler, request, context, error),
    )
  }
  return respond(handler, request, result, context)
}

function respond(handler: HandlerDefinition, request: unknown, response: unknown, context: RequestContext): RequestOutcome {
  if (response === noResponse) return { kind: 'none' }
  if (response instanceof CloseConnection) {
    // Not a broker fault but the client's only way to learn of an error it asked not to be
    // told about (Produce acks=0): info, as Kafka logs it.
    return close(context.broker, context.connection, response.reason, { correlationId: context.correlationId, apiKey: handler.apiKey, clientId: context.clientId }, 'info')
  }
  try {
    const chunks = encodeResponse(handler, context.apiVersion, context.correlationId, response)
    return { kind: 'frame', chunks, recyclable: handler.apiKey === ApiKey.Fetch }
  } catch (error) {
    return failed(handler, request, context, error)
  }
}

/** Logs a failed handler and answers UNKNOWN_SERVER_ERROR if the response shape allows. */
function failed(handler: HandlerDefinition, request: unknown, context: RequestContext, error: unknown): RequestOutcome {
  const fields = { correlationId: context.correlationId, apiKey: context.apiKey, api: handler.name, apiVersion: context.apiVersion, clientId: context.clientId }
  context.broker.logger.error(`${handler.name} handler failed: ${(error as Error)?.stack ?? String(error)}`, fields)
  if (handler.errorResponse === undefined) return { kind: 'close', reason: `${handler.name} handler failed` }
  try {
    const response = handler.errorResponse(request, ErrorCode.UnknownServerError)
    return { kind: 'frame', chunks: encodeResponse(handler, context.apiVersion, context.correlationId, response) }
  } catch (encodeError) {
    context.broker.logger.error(`${handler.name} error response failed: ${(encodeError as Error).message}`, fields)
    return { kind: 'close', reason: `${handler.name} handler failed` }
  }
}

/** The whole response frame (size prefix, header, body) as consecutive chunks. */
function encodeResponse(handler: HandlerDefinition, apiVersion: number, correlationId: number, response: unknown): Uint8Array[] {
  const writer = new Writer({ referenceBytesAtLeast })
  const sizeAt = writer.reserveInt32()
  writeResponseHeader(writer, correlationId, handler.apiKey, apiVersion)
  handler.responseCodec.write(writer, response, apiVersion)
  writer.fillSizePrefix(sizeAt)
  return writer.finishChunks()
}

function unsupportedApiVersions(broker: BrokerContext, correlationId: number): RequestOutcome {
  const handler = broker.handlers.get(ApiKey.ApiVersions)!
  const response = apiVersionsResponse(broker.handlers, ErrorCode.UnsupportedVersion)
  return { kind: 'frame', chunks: encodeResponse(handler, 0, correlationId, response) }
}

function close(broker: BrokerContext, connection: ConnectionInfo, reason: string, fields: Record<string, unknown> = {}, level: 'info' | 'warn' = 'warn'): RequestOutcome {
  broker.logger[level](`closing connection: ${reason}`, { connectionId: connection.connectionId, remoteAddress: connection.remoteAddress, ...fields })
  return { kind: 'close', reason }
}

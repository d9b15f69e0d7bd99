// The shape of a request handler and the `defineHandler` helper every handler file uses.
// A handler gets the decoded request and a RequestContext and returns the typed response; the
// dispatcher does the bytes (header, codec, response framing) and the error boundary.
import { apiMessages } from '@tributary/protocol'
import type { MessageCodec } from '@tributary/protocol'
import type { RequestContext } from '../request-context.ts'

/** Returned by a handler when the request takes no response (Produce with acks=0). */
export const noResponse: unique symbol = Symbol('noResponse')
export type NoResponse = typeof noResponse

/**
 * Returned by a handler when the request cannot be answered and the client must learn of the
 * failure by losing its connection: Produce with acks=0 where a partition failed, as Kafka does.
 * The connection closes after the responses of earlier requests are written; `reason` is logged.
 */
export class CloseConnection {
  readonly reason: string

  constructor(reason: string) {
    this.reason = reason
  }
}

export function closeConnection(reason: string): CloseConnection {
  return new CloseConnection(reason)
}

/** What a handler may answer besides its response. */
export type HandlerAnswer<Response> = Response | NoResponse | CloseConnection

export interface HandlerOptions<Request, Response> {
  /** Inclusive [min, max] versions we serve and advertise in ApiVersions. */
  readonly versions: readonly [number, number]
  /**
   * The response carrying `errorCode` everywhere an error fits, used when the handler throws.
   * Without it, a thrown handler closes the connection (the response shape has no error slot).
   */
  readonly errorResponse?: (request: Request, errorCode: number) => Response
  /** Features of the advertised versions we do not implement (for docs/reference/protocol-support.md). */
  readonly notImplemented?: readonly string[]
  /**
   * The handler reads the request's byte fields (views into the request frame, such as
   * Produce's records) only before it returns, and neither it nor its response keeps them: the
   * connection may then reuse the frame's buffer for the next request (network/frame-decoder.ts).
   */
  readonly releasesRequestBytes?: boolean
}

export type Handle<Request, Response> = (request: Request, context: RequestContext) => HandlerAnswer<Response> | Promise<HandlerAnswer<Response>>

/** One row of the handler table. */
export interface HandlerDefinition<Request = any, Response = any> {
  readonly apiKey: number
  /** Kafka's API name, such as `Produce`. */
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  readonly requestCodec: MessageCodec<Request>
  readonly responseCodec: MessageCodec<Response>
  readonly handle: Handle<Request, Response>
  readonly errorResponse: ((request: Request, errorCode: number) => Response) | undefined
  readonly notImplemented: readonly string[]
  readonly releasesRequestBytes: boolean
}

/**
 * Declares the handler of one API. The versions must lie within the generated codec's valid
 * versions; `handlers/index.ts` collects the definitions into THE table. The request and
 * response types come from the handler's annotations (`(request: ProduceRequest, ...):
 * ProduceResponse`); handlers/handler-table.test.ts checks each key's codecs by name.
 *
 * @example
 * export const describeCluster = defineHandler(ApiKey.DescribeCluster, { versions: [0, 1] }, (request: DescribeClusterRequest, context): DescribeClusterResponse => ({ ... }))
 */
export function defineHandler<Request, Response>(
  apiKey: number,
  options: HandlerOptions<Request, Response>,
  handle: Handle<Request, Response>,
): HandlerDefinition<Request, Response> {
  const messages = apiMessages[apiKey]
  if (messages === undefined) throw new Error(`no generated messages for api key ${apiKey}`)
  const [minVersion, maxVersion] = options.versions
  const valid = messages.request.validVersions
  if (minVersion < valid.min || maxVersion > valid.max || minVersion > maxVersion) {
    throw new Error(`${messages.name}: versions [${minVersion}, ${maxVersion}] are outside the spec's ${valid.min}-${valid.max}`)
  }
  return {
    apiKey,
    name: messages.name,
    minVersion,
    maxVersion,
    requestCodec: messages.request as MessageCodec<Request>,
    responseCodec: messages.response as MessageCodec<Response>,
    handle,
    errorResponse: options.errorResponse,
    notImplemented: options.notImplemented ?? [],
    releasesRequestBytes: options.releasesRequestBytes ?? false,
  }
}

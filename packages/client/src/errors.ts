// Errors of the client layer. Two kinds cross this package's boundary:
// - KafkaProtocolError: a broker answered with a Kafka error code (data turned into an exception
//   only where the caller cannot go on), carrying the numeric code, the Kafka name and `retriable`.
// - ClientError: an operating error of the client itself (network, timeout, misuse, closed).
// Errors of the wrapped library never leak: `toClientError` maps them to one of the two.
import { GenericError, protocolErrors, type ProtocolErrorDefinition } from '@platformatic/kafka'

/** Stable codes of the client's operating errors. */
export const ClientErrorCode = {
  Network: 'CLIENT_NETWORK_ERROR',
  Timeout: 'CLIENT_TIMEOUT',
  Closed: 'CLIENT_CLOSED',
  InvalidArgument: 'CLIENT_INVALID_ARGUMENT',
  InvalidState: 'CLIENT_INVALID_STATE',
  UnsupportedApi: 'CLIENT_UNSUPPORTED_API',
  BufferFull: 'CLIENT_BUFFER_FULL',
  Internal: 'CLIENT_INTERNAL_ERROR',
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

export type ErrorDomain = 'user' | 'external' | 'internal'

/** An operating error of the client: misuse, a lost connection, a timeout. */
export class ClientError extends Error {
  readonly code: ClientErrorCode
  readonly domain: ErrorDomain
  readonly retriable: boolean

  constructor(code: ClientErrorCode, message: string, options: { domain: ErrorDomain; retriable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'ClientError'
    this.code = code
    this.domain = options.domain
    this.retriable = options.retriable
  }
}

/** Name, retriability and description of one Kafka error code. */
export interface KafkaErrorInfo {
  code: number
  name: string
  retriable: boolean
  description: string
}

/**
 * A Kafka error code returned by a broker. `name` is Kafka's name (`REBALANCE_IN_PROGRESS`),
 * `code` the numeric code (27), `retriable` whether the same request may succeed later.
 */
export class KafkaProtocolError extends Error {
  readonly code: number
  readonly retriable: boolean
  readonly domain = 'external'
  readonly topic: string | undefined
  readonly partition: number | undefined
  readonly serverMessage: string | null

  constructor(code: number, options: { topic?: string; partition?: number; serverMessage?: string | null; cause?: unknown; context?: string } = {}) {
    const info = kafkaErrorInfo(code)
    const where = options.topic === undefined ? '' : ` (${options.topic}${options.partition === undefined ? '' : `-${options.partition}`})`
    const context = options.context === undefined ? '' : `${options.context}: `
    super(`${context}${info.name} [${code}]${where}: ${options.serverMessage ?? info.description}`, { cause: options.cause })
    this.name = info.name
    this.code = code
    this.retriable = info.retriable
    this.topic = options.topic
    this.partition = options.partition
    this.serverMessage = options.serverMessage ?? null
  }
}

// The table comes from the wrapped library until @tributary/protocol exports `errorInfo(code)`
// from its generated error codes; then this function should delegate to it.
const byCode = new Map<number, ProtocolErrorDefinition>()
for (const definition of Object.values(protocolErrors)) byCode.set(definition.code, definition)

/** Kafka's name and retriability for an error code; unknown codes are non-retriable. */
export function kafkaErrorInfo(code: number): KafkaErrorInfo {
  const definition = byCode.get(code)
  if (definition === undefined) return { code, name: `UNKNOWN_ERROR_CODE_${code}`, retriable: false, description: 'unknown Kafka error code' }
  return { code, name: definition.id, retriable: definition.canRetry, description: definition.message }
}

/** Kafka error codes the client reacts to by name. */
export const KafkaErrorCode = {
  None: 0,
  OffsetOutOfRange: 1,
  UnknownTopicOrPartition: 3,
  LeaderNotAvailable: 5,
  NotLeaderOrFollower: 6,
  CoordinatorLoadInProgress: 14,
  CoordinatorNotAvailable: 15,
  NotCoordinator: 16,
  IllegalGeneration: 22,
  UnknownMemberId: 25,
  RebalanceInProgress: 27,
  TopicAlreadyExists: 36,
  InvalidRequest: 42,
  FencedLeaderEpoch: 74,
  MemberIdRequired: 79,
  FencedInstanceId: 82,
} as const

interface PlatformaticLikeError {
  code?: string
  apiCode?: number
  path?: string
  serverErrorMessage?: string | null
  errors?: unknown[]
  response?: unknown
}

/** The Kafka error codes found anywhere in a wrapped-library error (depth-first). */
export function kafkaCodesOf(error: unknown): number[] {
  const out: number[] = []
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || value === null || typeof value !== 'object') return
    const candidate = value as PlatformaticLikeError
    if (typeof candidate.apiCode === 'number') out.push(candidate.apiCode)
    if (Array.isArray(candidate.errors)) for (const inner of candidate.errors) visit(inner, depth + 1)
  }
  visit(error, 0)
  return out
}

/** The decoded response attached to a wrapped-library response error, if any. */
export function responseOf<T>(error: unknown): T | undefined {
  const visit = (value: unknown, depth: number): unknown => {
    if (depth > 8 || value === null || typeof value !== 'object') return undefined
    const candidate = value as PlatformaticLikeError
    if (candidate.response !== undefined && candidate.code === 'PLT_KFK_RESPONSE') return candidate.response
    if (Array.isArray(candidate.errors)) {
      for (let index = candidate.errors.length - 1; index >= 0; index--) {
        const found = visit(candidate.errors[index], depth + 1)
        if (found !== undefined) return found
      }
    }
    return undefined
  }
  return visit(error, 0) as T | undefined
}

/** Maps any error thrown by the wrapped library to KafkaProtocolError or ClientError. */
export function toClientError(error: unknown, context?: string): Error {
  if (error instanceof KafkaProtocolError || error instanceof ClientError) return error
  const codes = kafkaCodesOf(error).filter((code) => code !== 0)
  if (codes.length > 0) {
    const last = codes[codes.length - 1]
    const detail = findWithApiCode(error, last)
    return new KafkaProtocolError(last, { serverMessage: detail?.serverErrorMessage ?? null, cause: error, context })
  }
  const message = `${context === undefined ? '' : `${context}: `}${error instanceof Error ? error.message : String(error)}`
  const code = innermostCode(error)
  switch (code) {
    case 'PLT_KFK_NETWORK':
      return new ClientError(ClientErrorCode.Network, message, { domain: 'external', retriable: true, cause: error })
    case 'PLT_KFK_TIMEOUT':
      return new ClientError(ClientErrorCode.Timeout, message, { domain: 'external', retriable: true, cause: error })
    case 'PLT_KFK_UNSUPPORTED_API':
    case 'PLT_KFK_UNSUPPORTED':
      return new ClientError(ClientErrorCode.UnsupportedApi, message, { domain: 'external', retriable: false, cause: error })
    case 'PLT_KFK_USER':
      return new ClientError(ClientErrorCode.InvalidArgument, message, { domain: 'user', retriable: false, cause: error })
    default:
      return new ClientError(ClientErrorCode.Internal, message, { domain: 'internal', retriable: false, cause: error })
  }
}

function findWithApiCode(error: unknown, code: number): PlatformaticLikeError | undefined {
  const candidate = error as PlatformaticLikeError
  if (candidate === null || typeof candidate !== 'object') return undefined
  if (candidate.apiCode === code) return candidate
  for (const inner of candidate.errors ?? []) {
    const found = findWithApiCode(inner, code)
    if (found !== undefined) return found
  }
  return undefined
}

function innermostCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !GenericError.isGenericError(error)) return undefined
  const candidate = error as PlatformaticLikeError
  if (candidate.code === 'PLT_KFK_MULTIPLE' && Array.isArray(candidate.errors) && candidate.errors.length > 0) {
    return innermostCode(candidate.errors[candidate.errors.length - 1]) ?? candidate.code
  }
  return candidate.code
}

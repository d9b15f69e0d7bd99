// The dispatcher's error boundary: a handler that throws is answered with UNKNOWN_SERVER_ERROR
// when its response has room for it, and closes the connection otherwise; the failure is logged
// with correlation id and api key. A handler answering closeConnection (Produce acks=0 with an
// error) closes the connection, logged at info. Handlers here are test handlers, not the broker's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, Reader, Writer, DescribeClusterResponse, readResponseHeader, writeRequestHeader, DescribeClusterRequest } from '@tributary/protocol'
import type { DescribeClusterResponse as DescribeClusterResponseType, DescribeClusterRequest as DescribeClusterRequestType } from '@tributary/protocol'
import { createRequestDispatcher } from './request-dispatcher.ts'
import { closeConnection, defineHandler } from './handlers/define-handler.ts'
import { createHandlerTable } from './handlers/handler-table.ts'
import { apiVersions } from './handlers/api-versions.ts'
import type { BrokerContext } from './request-context.ts'
import type { HandlerDefinition } from './handlers/define-handler.ts'
import type { LogFields } from './logger.ts'
import { systemClock } from './system-clock.ts'

const failing = (withErrorResponse: boolean): HandlerDefinition => defineHandler(
  ApiKey.DescribeCluster,
  {
    versions: [0, 1],
    errorResponse: withErrorResponse
      ? (request: DescribeClusterRequestType, errorCode: number): DescribeClusterResponseType => ({
          throttleTimeMs: 0, errorCode, errorMessage: null, endpointType: request.endpointType, clusterId: '', controllerId: -1, brokers: [], clusterAuthorizedOperations: -2147483648,
        })
      : undefined,
  },
  (): DescribeClusterResponseType => {
    throw new Error('boom')
  },
)

function contextWith(handler: HandlerDefinition, lines: { message: string; fields?: LogFields }[]): BrokerContext {
  const log = (message: string, fields?: LogFields): void => {
    lines.push({ message, fields })
  }
  return {
    handlers: createHandlerTable([apiVersions, handler]),
    logger: { debug: log, info: log, warn: log, error: log },
    clock: systemClock,
  } as unknown as BrokerContext
}

function describeClusterFrame(correlationId: number): Buffer {
  const writer = new Writer()
  writeRequestHeader(writer, { requestApiKey: ApiKey.DescribeCluster, requestApiVersion: 1, correlationId, clientId: 'test' })
  DescribeClusterRequest.write(writer, { includeClusterAuthorizedOperations: false, endpointType: 1 }, 1)
  return Buffer.from(writer.finish())
}

const connection = { connectionId: 1, remoteAddress: 'test', signal: new AbortController().signal }

test('a throwing handler answers UNKNOWN_SERVER_ERROR and logs correlation id and api key', async () => {
  const lines: { message: string; fields?: LogFields }[] = []
  const outcome = await createRequestDispatcher(contextWith(failing(true), lines))(describeClusterFrame(41), connection)
  assert.equal(outcome.kind, 'frame')
  const frame = Buffer.concat(outcome.kind === 'frame' ? outcome.chunks : [])
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix')
  assert.notEqual(outcome.kind === 'frame' ? outcome.recyclable : undefined, true, 'only Fetch responses are recyclable')
  const reader = new Reader(frame.subarray(4))
  assert.equal(readResponseHeader(reader, ApiKey.DescribeCluster, 1).correlationId, 41)
  assert.equal(DescribeClusterResponse.read(reader, 1).errorCode, ErrorCode.UnknownServerError)
  const logged = lines.find((line) => line.message.includes('boom'))
  assert.equal(logged?.fields?.correlationId, 41)
  assert.equal(logged?.fields?.apiKey, ApiKey.DescribeCluster)
})

test('a throwing handler without an error response closes the connection', async () => {
  const outcome = await createRequestDispatcher(contextWith(failing(false), []))(describeClusterFrame(42), connection)
  assert.equal(outcome.kind, 'close')
})

test('a frame shorter than a request header closes the connection', async () => {
  const outcome = await createRequestDispatcher(contextWith(failing(true), []))(Buffer.from([0, 1, 2]), connection)
  assert.equal(outcome.kind, 'close')
})

test('a handler answering closeConnection closes the connection and logs the reason at info', async () => {
  const closing = defineHandler(ApiKey.DescribeCluster, { versions: [0, 1] }, async () => closeConnection('the client must learn of an error'))
  const logged: { level: string; message: string; fields?: LogFields }[] = []
  const context = {
    ...contextWith(closing, []),
    logger: Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (message: string, fields?: LogFields) => logged.push({ level, message, fields })])),
  } as unknown as BrokerContext
  const outcome = await createRequestDispatcher(context)(describeClusterFrame(43), connection)
  assert.deepEqual(outcome, { kind: 'close', reason: 'the client must learn of an error' })
  assert.equal(logged.length, 1)
  assert.equal(logged[0].level, 'info')
  assert.match(logged[0].message, /the client must learn of an error/)
  assert.equal(logged[0].fields?.correlationId, 43)
})

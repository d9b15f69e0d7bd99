import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey } from './generated/api-keys.ts'
import { readRequestHeader, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader, writeResponseHeader } from './headers.ts'
import { Reader } from './primitives/reader.ts'
import { Writer } from './primitives/writer.ts'

test('header versions follow the flexible versions of each API, with the two special cases', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1)
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2)
  assert.equal(responseHeaderVersion(ApiKey.Produce, 8), 0)
  assert.equal(responseHeaderVersion(ApiKey.Produce, 9), 1)
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0, 'ControlledShutdown v0 has no client id')
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1)
  assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2)
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0, 'ApiVersions responses always use header v0')
  assert.equal(requestHeaderVersion(9999, 0), 1, 'unknown api keys still yield correlation id and client id')
})

test('reads a flexible request header and leaves the reader at the body', () => {
  // ApiVersions v3: apiKey 18, version 3, correlationId 7, clientId "c" (classic string), no tags, then body.
  const bytes = new Uint8Array([0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 0x63, 0, 0xaa])
  const reader = new Reader(bytes)
  assert.deepEqual(readRequestHeader(reader), { requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: 'c' })
  assert.equal(reader.offset, 12)
  const writer = new Writer()
  writeRequestHeader(writer, { requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: 'c' })
  assert.deepEqual([...writer.finish()], [...bytes.subarray(0, 12)])
})

test('reads classic and ControlledShutdown v0 request headers', () => {
  const classic = new Reader(new Uint8Array([0, 3, 0, 1, 0, 0, 0, 9, 0xff, 0xff]))
  assert.deepEqual(readRequestHeader(classic), { requestApiKey: 3, requestApiVersion: 1, correlationId: 9, clientId: null })
  assert.equal(classic.remaining, 0)
  const controlledShutdown = new Reader(new Uint8Array([0, 7, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1]))
  assert.deepEqual(readRequestHeader(controlledShutdown), { requestApiKey: 7, requestApiVersion: 0, correlationId: 9, clientId: '' })
  assert.equal(controlledShutdown.remaining, 4, 'the broker id of the body is left unread')
  assert.throws(() => readRequestHeader(new Reader(new Uint8Array([0, 3, 0]))), { code: 'PROTOCOL_DECODE_ERROR' })
})

test('writes response headers: flexible ones end with an empty tag section, ApiVersions never does', () => {
  const cases: Array<[number, number, number[]]> = [
    [ApiKey.Produce, 9, [0, 0, 0, 5, 0]],
    [ApiKey.Produce, 8, [0, 0, 0, 5]],
    [ApiKey.ApiVersions, 3, [0, 0, 0, 5]],
  ]
  for (const [apiKey, apiVersion, expected] of cases) {
    const writer = new Writer()
    writeResponseHeader(writer, 5, apiKey, apiVersion)
    assert.deepEqual([...writer.finish()], expected)
    assert.deepEqual(readResponseHeader(new Reader(new Uint8Array(expected)), apiKey, apiVersion), { correlationId: 5 })
  }
})

// Bad input never crashes the broker: garbage, truncated frames, huge size prefixes, unknown
// api keys and unsupported versions close that connection only; other connections keep
// working; a flood of pipelined requests from a client that never reads stays bounded.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { ApiKey, ErrorCode, Writer } from '@tributary/protocol'
import type { MetadataResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { startTestBroker } from './fixtures/test-broker.ts'
import type { TestBroker } from './fixtures/test-broker.ts'
import { metadataRequest } from './fixtures/requests.ts'

let broker: TestBroker
let witness: WireClient

before(async () => {
  broker = await startTestBroker({ maxRequestBytes: 1024 * 1024, maxInFlightRequestsPerConnection: 8 })
  witness = await WireClient.connect(broker.port)
})

after(async () => {
  witness.close()
  await broker.destroy()
})

/** The broker still answers on the connection opened before the abuse. */
async function assertStillServing(): Promise<void> {
  const response = await witness.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(null))
  assert.equal(response.clusterId, broker.clusterId)
}

async function assertClosedBy(bytes: Uint8Array): Promise<void> {
  const client = await WireClient.connect(broker.port)
  client.writeRaw(bytes)
  const outcome = await Promise.race([client.closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('open'), 3000))])
  client.close()
  assert.equal(outcome, 'closed')
  await assertStillServing()
}

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  out.set(body, 4)
  return out
}

function header(apiKey: number, apiVersion: number, flexible: boolean): Uint8Array {
  const writer = new Writer()
  writer.writeInt16(apiKey)
  writer.writeInt16(apiVersion)
  writer.writeInt32(1)
  writer.writeNullableString('bad-client')
  if (flexible) writer.writeTaggedFields(undefined)
  return Uint8Array.from(writer.finish())
}

test('garbage bytes close the connection', async () => {
  const garbage = randomBytes(4096)
  garbage.writeInt32BE(4000, 0)
  await assertClosedBy(garbage)
})

test('a size prefix over socket.request.max.bytes closes the connection', async () => {
  await assertClosedBy(Buffer.from([0x7f, 0xff, 0xff, 0xff]))
  await assertClosedBy(Buffer.from([0xff, 0xff, 0xff, 0xff]))
})

test('an unknown api key closes the connection', async () => {
  await assertClosedBy(frame(header(999, 0, false)))
  await assertClosedBy(frame(header(ApiKey.JoinGroup, 0, false)))
})

test('an unsupported version closes the connection', async () => {
  await assertClosedBy(frame(header(ApiKey.Produce, 2, false)))
  await assertClosedBy(frame(header(ApiKey.Metadata, 13, true)))
})

test('a body that does not decode closes the connection', async () => {
  await assertClosedBy(frame(Buffer.concat([header(ApiKey.Metadata, 12, true), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])])))
  await assertClosedBy(frame(Uint8Array.of(0, 3)))
})

test('a truncated frame followed by a disconnect leaves nothing behind', async () => {
  const client = await WireClient.connect(broker.port)
  client.writeRaw(frame(Buffer.alloc(500)).subarray(0, 200))
  await new Promise((resolve) => setTimeout(resolve, 50))
  client.close()
  await assertStillServing()
  for (let wait = 0; wait < 100 && broker.connectionCount > 1; wait++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(broker.connectionCount, 1)
})

test('a client that pipelines thousands of requests and never reads stays bounded', async () => {
  const flood = await WireClient.connect(broker.port)
  const request = flood.encodeRequest(ApiKey.Metadata, 12, metadataRequest(null))
  global.gc?.()
  const heapBeforeBytes = process.memoryUsage().heapUsed
  const batch = Buffer.concat(Array.from({ length: 2000 }, () => request))
  let written = 0
  for (let round = 0; round < 25; round++) {
    if (!flood.socket.write(batch)) await Promise.race([new Promise((resolve) => flood.socket.once('drain', resolve)), new Promise((resolve) => setTimeout(resolve, 200))])
    written += batch.length
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  const heapGrowthBytes = process.memoryUsage().heapUsed - heapBeforeBytes
  assert.ok(heapGrowthBytes < 64 * 1024 * 1024, `heap grew ${heapGrowthBytes} bytes after ${written} bytes of requests`)
  await assertStillServing()
  flood.close()
})

test('many bad connections in parallel do not disturb a good one', async () => {
  const attempts = Array.from({ length: 50 }, async (_, index) => {
    const client = await WireClient.connect(broker.port)
    client.writeRaw(index % 2 === 0 ? randomBytes(64) : frame(header(500 + index, 0, false)))
    await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 2000))])
    client.close()
  })
  await Promise.all(attempts)
  await assertStillServing()
  const response = await witness.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['x'], false))
  assert.equal(response.topics[0].errorCode, ErrorCode.UnknownTopicOrPartition)
})

test('random bodies and truncated requests for every served api and version never break the broker', async () => {
  const { handlerTable } = await import('@tributary/broker')
  let seed = 12345
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const cases: Buffer[] = []
  for (const definition of handlerTable.definitions) {
    for (let version = definition.minVersion; version <= definition.maxVersion; version++) {
      const flexible = definition.requestCodec.flexibleVersions !== null && version >= definition.requestCodec.flexibleVersions.min
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)))
      cases.push(frame(Buffer.concat([header(definition.apiKey, version, flexible), body])))
    }
  }
  for (let start = 0; start < cases.length; start += 20) {
    await Promise.all(cases.slice(start, start + 20).map(async (bytes) => {
      const client = await WireClient.connect(broker.port)
      client.writeRaw(bytes)
      // Either an answer (the random body happened to decode) or a close; never a hang or a crash.
      await Promise.race([client.nextFrame().catch(() => undefined), client.closed, new Promise((resolve) => setTimeout(resolve, 2000))])
      client.close()
    }))
  }
  await assertStillServing()
})

// Every generated message, at every valid version, round-trips: a representative message built
// from the spec (not from the generated code) encodes, decodes to a deep-equal value, and
// re-encodes to identical bytes. The table comes from the same spec files the generator reads.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as protocol from '@tributary/protocol'
import { loadSpecs } from './generate.ts'
import { protocolDir } from './paths.ts'
import { hasNullable, sampleMessage, versionsOf, type Variant } from './sample-message.ts'
import type { MessageSpec } from './spec.ts'

const { specs } = loadSpecs(protocolDir())
const codecs = protocol as unknown as Record<string, protocol.MessageCodec<Record<string, unknown>> | undefined>

function codecOf(spec: MessageSpec): protocol.MessageCodec<Record<string, unknown>> {
  const codec = codecs[spec.name]
  assert.ok(codec !== undefined, `no generated codec exported for ${spec.name}`)
  return codec
}

function roundTrip(spec: MessageSpec, version: number, variant: Variant): number {
  const codec = codecOf(spec)
  const message = sampleMessage(spec, version, variant)
  const bytes = codec.encode(message, version).slice()
  const decoded = codec.decode(bytes, version)
  assert.deepStrictEqual(decoded, message, `${spec.name} v${version} (${variant}) decodes to what was encoded`)
  assert.deepStrictEqual(codec.encode(decoded, version), bytes, `${spec.name} v${version} (${variant}) re-encodes to the same bytes`)
  return bytes.length
}

describe('generated codecs round-trip at every valid version', () => {
  for (const spec of specs) {
    test(`${spec.name} v${spec.validVersions.min}-${spec.validVersions.max}`, () => {
      const codec = codecOf(spec)
      assert.equal(codec.name, spec.name)
      assert.equal(codec.apiKey, spec.apiKey)
      assert.deepEqual(codec.validVersions, { min: spec.validVersions.min, max: spec.validVersions.max })
      assert.deepEqual(codec.flexibleVersions, spec.flexibleVersions === null ? null : { min: spec.flexibleVersions.min })
      for (const version of versionsOf(spec)) {
        roundTrip(spec, version, 'values')
        if (hasNullable(spec, version)) roundTrip(spec, version, 'nulls')
      }
    })
  }
})

test('every spec has a codec and every api key is in the apiMessages table', () => {
  const requests = specs.filter((spec) => spec.kind === 'request')
  assert.equal(Object.keys(protocol.apiMessages).length, requests.length)
  for (const request of requests) {
    const entry = protocol.apiMessages[request.apiKey as number]
    assert.equal(entry.request.name, request.name)
    assert.equal(entry.response.name, request.name.replace(/Request$/, 'Response'))
    assert.equal((protocol.ApiKey as Record<string, number>)[entry.name], request.apiKey)
  }
})

test('a version outside validVersions is an encode or decode error naming message and version', () => {
  const message = sampleMessage(specs.find((spec) => spec.name === 'ProduceRequest') as MessageSpec, 11, 'values')
  assert.throws(() => protocol.ProduceRequest.encode(message as never, 12), (error: unknown) =>
    error instanceof protocol.ProtocolEncodeError && /ProduceRequest/.test(error.message) && /12/.test(error.message))
  assert.throws(() => protocol.ProduceRequest.decode(new Uint8Array(10), -1), (error: unknown) =>
    error instanceof protocol.ProtocolDecodeError && /ProduceRequest/.test(error.message) && /-1/.test(error.message))
})

test('a non-default value in a field the version lacks is rejected unless the field is ignorable', () => {
  const produce = { transactionalId: 'tx', acks: 1, timeoutMs: 1000, topicData: [] }
  assert.throws(() => protocol.ProduceRequest.encode(produce, 2), protocol.ProtocolEncodeError)
  assert.doesNotThrow(() => protocol.ProduceRequest.encode({ ...produce, transactionalId: null }, 2))
  // RequestHeader.ClientId is ignorable: header v0 silently drops it.
  const header = { requestApiKey: 7, requestApiVersion: 0, correlationId: 5, clientId: 'client' }
  const bytes = protocol.RequestHeader.encode(header, 0)
  assert.deepStrictEqual(protocol.RequestHeader.decode(bytes, 0), { ...header, clientId: '' })
})

test('null in a field that is not nullable at the version is an encode error', () => {
  const produce = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: null as unknown as string, partitionData: [] }] }
  assert.throws(() => protocol.ProduceRequest.encode(produce, 9), protocol.ProtocolEncodeError)
})

test('unknown tagged fields are kept and written back in tag order among known tags', () => {
  // FetchRequest v12+ has known tagged fields ClusterId (0) and, from v15, ReplicaState (1).
  const spec = specs.find((candidate) => candidate.name === 'FetchRequest') as MessageSpec
  const message = sampleMessage(spec, 15, 'values')
  message.unknownTaggedFields = [{ tag: 5, data: new Uint8Array([1]) }, { tag: 9, data: new Uint8Array([2, 3]) }]
  const bytes = protocol.FetchRequest.encode(message as never, 15).slice()
  const decoded = protocol.FetchRequest.decode(bytes, 15) as unknown as Record<string, unknown>
  assert.deepStrictEqual(decoded.unknownTaggedFields, message.unknownTaggedFields)
  assert.equal(decoded.clusterId, message.clusterId)
})

test('tagged fields at a version that is not flexible are an encode error', () => {
  const message = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [], unknownTaggedFields: [{ tag: 1, data: new Uint8Array(1) }] }
  assert.throws(() => protocol.ProduceRequest.encode(message, 8), protocol.ProtocolEncodeError)
})

// Golden bytes: requests recorded from real clients (kcat, python3-confluent-kafka,
// python3-kafka, KafkaJS, @platformatic/kafka) and the answers of a broker we did not write
// (refbroker: librdkafka's mock cluster), re-recorded with tools/capture-fixtures.
//
// For each fixture: the header and body decode with our generated codecs, re-encoding the
// decoded values reproduces every byte, and the record batches inside Produce requests and
// Fetch responses decode with a valid CRC-32C, the codec the client was asked to use, and the
// records the capture scenario produced.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apiMessages, decodeRecordBatches, encodeRecordBatch, readRequestHeader, readResponseHeader, Reader, Writer,
  writeRequestHeader, writeResponseHeader, RecordBatchAttribute, type FetchResponse, type ProduceRequest, type RecordBatch,
} from '@tributary/protocol'
import { loadFixtures, type GoldenFixture } from './support/fixtures.ts'

const ApiKeyProduce = 0
const ApiKeyFetch = 1
const ApiKeyApiVersions = 18
const UnsupportedVersion = 35
const codecIds: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4, transactional: 0 }

const fixtures = loadFixtures()

test('fixtures exist for every recorded client and the required APIs', () => {
  const clients = new Set(fixtures.map((fixture) => fixture.metadata.client))
  for (const client of ['kcat', 'python-confluent-kafka', 'python-kafka', 'kafkajs', 'platformatic-kafka']) assert.ok(clients.has(client), `no fixtures for ${client}`)
  const apis = new Set(fixtures.map((fixture) => fixture.metadata.apiName))
  for (const api of ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'JoinGroup', 'InitProducerId']) assert.ok(apis.has(api), `no ${api} fixture`)
  const produceCodecs = new Set(fixtures.filter((fixture) => fixture.metadata.apiKey === ApiKeyProduce).map((fixture) => fixture.metadata.variant))
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) assert.ok(produceCodecs.has(codec), `no Produce fixture with ${codec}`)
})

describe('golden request and response bytes', () => {
  for (const fixture of fixtures) {
    test(`${fixture.id}: request decodes and re-encodes byte for byte`, () => checkRequest(fixture))
    const nonconforming = nonconformingResponse(fixture)
    if (nonconforming) test(`${fixture.id}: response is refbroker's nonconforming UNSUPPORTED_VERSION answer, rejected`, () => checkNonconforming(fixture))
    else test(`${fixture.id}: response decodes and re-encodes byte for byte`, () => checkResponse(fixture))
  }
})

describe('golden record batches', () => {
  for (const fixture of fixtures) {
    const { apiKey, variant } = fixture.metadata
    if (apiKey === ApiKeyProduce) test(`${fixture.id}: produced batches decode (CRC, ${variant})`, () => checkProduceBatches(fixture))
    if (apiKey === ApiKeyFetch) test(`${fixture.id}: fetched batches decode (CRC, ${variant || 'any codec'})`, () => checkFetchBatches(fixture))
  }
})

function checkRequest(fixture: GoldenFixture): void {
  const { apiKey, apiVersion, correlationId } = fixture.metadata
  const reader = new Reader(fixture.request)
  const header = readRequestHeader(reader)
  assert.deepEqual([header.requestApiKey, header.requestApiVersion, header.correlationId], [apiKey, apiVersion, correlationId])
  const codec = apiMessages[apiKey].request
  const body = codec.decode(fixture.request.subarray(reader.offset), apiVersion)
  const writer = new Writer()
  writeRequestHeader(writer, header)
  codec.write(writer, body, apiVersion)
  assertSameBytes(writer.finish(), fixture.request)
}

function checkResponse(fixture: GoldenFixture): void {
  const { apiKey, correlationId } = fixture.metadata
  const reader = new Reader(fixture.response)
  const header = readResponseHeader(reader, apiKey, fixture.metadata.apiVersion)
  assert.equal(header.correlationId, correlationId)
  const bodyBytes = fixture.response.subarray(reader.offset)
  const bodyVersion = responseBodyVersion(fixture, bodyBytes)
  const codec = apiMessages[apiKey].response
  const body = codec.decode(bodyBytes, bodyVersion)
  const writer = new Writer()
  writeResponseHeader(writer, correlationId, apiKey, fixture.metadata.apiVersion)
  codec.write(writer, body, bodyVersion)
  assertSameBytes(writer.finish(), fixture.response)
}

/**
 * A broker that does not support the ApiVersions version a client asked for answers
 * UNSUPPORTED_VERSION in the v0 body (error code first, then its ApiVersions range), so that
 * any client can read it; the client then retries at a version in that range. Every other
 * response is in the request's version.
 */
function responseBodyVersion(fixture: GoldenFixture, body: Uint8Array): number {
  const { apiKey, apiVersion } = fixture.metadata
  if (apiKey !== ApiKeyApiVersions || apiVersion === 0) return apiVersion
  const errorCode = new DataView(body.buffer, body.byteOffset, body.byteLength).getInt16(0)
  return errorCode === UnsupportedVersion ? 0 : apiVersion
}

/**
 * refbroker (librdkafka 2.0.2's mock) answers an ApiVersions v3+ request it does not support
 * with 13 body bytes: errorCode 35, a one-byte count 0x01, one 6-byte entry (ApiVersions 0-2)
 * and an int32 throttle time. That is neither the v0 body Apache Kafka sends for this error
 * (int32 count, no throttle time) nor a v3 body (count 0x02 for one entry, tagged fields), so a
 * strict decoder must reject it at both versions; clients survive it because they only look at
 * the error code and retry (librdkafka at v0), or fail (@platformatic/kafka 1.x).
 */
function nonconformingResponse(fixture: GoldenFixture): boolean {
  const { apiKey, apiVersion, broker } = fixture.metadata
  if (apiKey !== ApiKeyApiVersions || apiVersion < 3 || !broker.startsWith('refbroker')) return false
  const body = fixture.response.subarray(4)
  return body.length === 13 && new DataView(body.buffer, body.byteOffset).getInt16(0) === UnsupportedVersion
}

function checkNonconforming(fixture: GoldenFixture): void {
  const body = fixture.response.subarray(4)
  const codec = apiMessages[ApiKeyApiVersions].response
  assert.throws(() => codec.decode(body, 0), { name: 'ProtocolDecodeError' })
  assert.throws(() => codec.decode(body, fixture.metadata.apiVersion), { name: 'ProtocolDecodeError' })
}

function checkProduceBatches(fixture: GoldenFixture): void {
  const body = decodeBody(fixture.request, fixture) as ProduceRequest
  const batches = body.topicData.flatMap((topic) => topic.partitionData.flatMap((partition) => decodeRecordBatches(partition.records ?? new Uint8Array())))
  assert.ok(batches.length > 0, 'a Produce request carries at least one batch')
  checkBatches(fixture, batches)
  if (fixture.metadata.variant === 'transactional') assert.ok(batches.every((batch) => batch.attributes & RecordBatchAttribute.transactional))
  if (recordedWithProducerId(fixture)) {
    assert.ok(batches.every((batch) => batch.producerId >= 0n && batch.baseSequence >= 0), 'idempotent batches carry producerId and baseSequence')
  } else {
    // Not idempotent: producerId -1. The sequence is not reliable then: KafkaJS and
    // @platformatic/kafka send baseSequence 0 and producerEpoch 0 (librdkafka sends -1/-1).
    assert.ok(batches.every((batch) => batch.producerId === -1n), 'non-idempotent batches carry producerId -1')
  }
}

/**
 * Whether the recorded batches carry a producer id: transactions do, and so do the idempotent
 * producers of the capture scenarios (kcat, python3-confluent-kafka, @platformatic/kafka).
 * kafka-python and KafkaJS produce plainly there (see tools/capture-fixtures/src/scenarios.ts).
 */
function recordedWithProducerId(fixture: GoldenFixture): boolean {
  const { client, variant } = fixture.metadata
  if (variant === 'transactional') return true
  return client === 'kcat' || client === 'python-confluent-kafka' || client === 'platformatic-kafka'
}

function checkFetchBatches(fixture: GoldenFixture): void {
  const reader = new Reader(fixture.response)
  readResponseHeader(reader, fixture.metadata.apiKey, fixture.metadata.apiVersion)
  const body = apiMessages[ApiKeyFetch].response.decode(fixture.response.subarray(reader.offset), fixture.metadata.apiVersion) as FetchResponse
  const batches = body.responses.flatMap((topic) => topic.partitions.flatMap((partition) => decodeRecordBatches(partition.records ?? new Uint8Array())))
  assert.ok(batches.length > 0, 'the kept Fetch exemplar is the fullest one, with records')
  checkBatches(fixture, batches)
}

/** CRC is verified by decodeRecordBatches; here: codec, record contents, and re-encoding. */
function checkBatches(fixture: GoldenFixture, batches: RecordBatch[]): void {
  const { variant } = fixture.metadata
  const text = new TextDecoder()
  for (const batch of batches) {
    if (variant in codecIds) assert.equal(batch.attributes & RecordBatchAttribute.compressionMask, codecIds[variant], `codec of a ${variant} batch`)
    if (batch.attributes & RecordBatchAttribute.control) continue
    assert.ok(batch.records.length > 0)
    for (const record of batch.records) {
      const key = record.key === null ? '' : text.decode(record.key)
      const value = record.value === null ? '' : text.decode(record.value)
      assert.match(key, /^(key-\d+|transactional-key)$/)
      assert.match(value, /^(value \d+: the quick brown fox|transactional value)/)
    }
    // Uncompressed batches re-encode to the same bytes. Compressed ones cannot be expected to:
    // each client's compressor (level, block size, frame flags) differs from ours. Their
    // re-encoding must decode back to the same records instead.
    const reencoded = decodeRecordBatches(encodeRecordBatch(batch))[0]
    assert.deepEqual(reencoded, batch)
  }
  const uncompressed = batches.filter((batch) => (batch.attributes & RecordBatchAttribute.compressionMask) === 0)
  for (const batch of uncompressed) assert.deepEqual(decodeRecordBatches(encodeRecordBatch(batch)), [batch])
}

function decodeBody(frame: Uint8Array, fixture: GoldenFixture): unknown {
  const reader = new Reader(frame)
  readRequestHeader(reader)
  return apiMessages[fixture.metadata.apiKey].request.decode(frame.subarray(reader.offset), fixture.metadata.apiVersion)
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0) return
  let index = 0
  while (index < Math.min(actual.length, expected.length) && actual[index] === expected[index]) index++
  assert.fail(`re-encoded bytes differ at byte ${index} of ${expected.length} (got length ${actual.length}): ` +
    `expected …${Buffer.from(expected.subarray(index, index + 16)).toString('hex')}, got …${Buffer.from(actual.subarray(index, index + 16)).toString('hex')}`)
}

test('the golden checks catch a flipped byte (CRC) and a truncated frame', () => {
  const fixture = fixtures.find((candidate) => candidate.metadata.apiKey === ApiKeyProduce && candidate.metadata.variant === 'gzip')
  assert.ok(fixture)
  const corrupted = Uint8Array.from(fixture.request)
  corrupted[corrupted.length - 3] ^= 0x40 // inside the last batch's compressed records
  assert.throws(() => checkProduceBatches({ ...fixture, request: corrupted }))
  assert.throws(() => checkRequest({ ...fixture, request: fixture.request.subarray(0, fixture.request.length - 1) }))
})

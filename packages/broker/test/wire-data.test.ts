// Produce, Fetch, ListOffsets and DeleteRecords over a real socket, checked field by field.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, createRecordBatch, decodeRecordBatches, encodeRecordBatch, parseAttributes, TimestampType } from '@tributary/protocol'
import type { FetchResponse, ListOffsetsResponse, ProduceResponse, MetadataResponse, DeleteRecordsResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { recordBatch, startTestBroker } from './fixtures/test-broker.ts'
import type { TestBroker } from './fixtures/test-broker.ts'
import { createTopicsRequest, fetchRequest, listOffsetsRequest, metadataRequest, produceRequest } from './fixtures/requests.ts'

let broker: TestBroker
let client: WireClient

before(async () => {
  broker = await startTestBroker()
  client = await WireClient.connect(broker.port)
  const created = await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([
    { name: 'data', numPartitions: 2 },
    { name: 'small', configs: { 'max.message.bytes': '200' } },
    { name: 'append-time', configs: { 'message.timestamp.type': 'LogAppendTime' } },
  ]))
  assert.deepEqual(created.topics.map((topic: { errorCode: number }) => topic.errorCode), [0, 0, 0])
})

after(async () => {
  client.close()
  await broker.destroy()
})

async function produce(topic: string, partition: number, records: Uint8Array | null, version = 9): Promise<ProduceResponse['responses'][0]['partitionResponses'][0]> {
  const response = await client.request<ProduceResponse>(ApiKey.Produce, version, produceRequest(topic, { [partition]: records }))
  return response.responses[0].partitionResponses[0]
}

function values(records: Uint8Array | null): string[] {
  return decodeRecordBatches(records ?? new Uint8Array(0)).flatMap((batch) => batch.records.map((record) => Buffer.from(record.value!).toString()))
}

test('produced batches get consecutive offsets and fetch back byte for byte', async () => {
  const first = await produce('data', 0, recordBatch(['a', 'b', 'c']))
  const second = await produce('data', 0, recordBatch(['d']))
  assert.equal(first.errorCode, ErrorCode.None)
  assert.equal(first.baseOffset, 0n)
  assert.equal(second.baseOffset, 3n)
  assert.equal(first.logAppendTimeMs, -1n)
  const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: 0n }]))
  const partition = response.responses[0].partitions[0]
  assert.equal(partition.errorCode, ErrorCode.None)
  assert.equal(partition.highWatermark, 4n)
  assert.equal(partition.lastStableOffset, 4n)
  assert.equal(partition.logStartOffset, 0n)
  assert.deepEqual(values(partition.records), ['a', 'b', 'c', 'd'])
  const offsets = decodeRecordBatches(partition.records!).map((batch) => batch.baseOffset)
  assert.deepEqual(offsets, [0n, 3n])
})

test('a batch with a wrong CRC is refused with CORRUPT_MESSAGE; the other partition of the request succeeds', async () => {
  const corrupt = recordBatch(['bad'])
  corrupt[corrupt.length - 1] ^= 0xff
  const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('data', { 0: corrupt, 1: recordBatch(['good']) }))
  const [bad, good] = response.responses[0].partitionResponses
  assert.equal(bad.errorCode, ErrorCode.CorruptMessage)
  assert.match(bad.errorMessage ?? '', /crc/)
  assert.equal(good.errorCode, ErrorCode.None)
})

test('a batch over max.message.bytes is refused with MESSAGE_TOO_LARGE, truncated bytes with CORRUPT_MESSAGE', async () => {
  assert.equal((await produce('small', 0, recordBatch(['x'.repeat(300)]))).errorCode, ErrorCode.MessageTooLarge)
  assert.equal((await produce('small', 0, recordBatch(['fits']))).errorCode, ErrorCode.None)
  assert.equal((await produce('small', 0, recordBatch(['cut']).subarray(0, 40))).errorCode, ErrorCode.CorruptMessage)
  assert.equal((await produce('small', 0, null)).errorCode, ErrorCode.InvalidRecord)
})

test('produce to an unknown partition answers UNKNOWN_TOPIC_OR_PARTITION; bad acks INVALID_REQUIRED_ACKS', async () => {
  assert.equal((await produce('data', 7, recordBatch(['x']))).errorCode, ErrorCode.UnknownTopicOrPartition)
  assert.equal((await produce('nope', 0, recordBatch(['x']))).errorCode, ErrorCode.UnknownTopicOrPartition)
  const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('data', { 0: recordBatch(['x']) }, 2))
  assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.InvalidRequiredAcks)
})

test('acks=0 gets no response, and the next response still matches its request', async () => {
  const before = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('data', 1, -1n))).topics[0].partitions[0].offset
  client.writeRaw(client.encodeRequest(ApiKey.Produce, 9, produceRequest('data', { 1: recordBatch(['fire', 'forget']) }, 0), 9000))
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['data']))
  assert.equal(metadata.topics[0].name, 'data')
  const afterOffset = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('data', 1, -1n))).topics[0].partitions[0].offset
  assert.equal(afterOffset, before + 2n)
  const fetched = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 1, fetchOffset: before }], { maxWaitMs: 5000, minBytes: 1 }))
  assert.deepEqual(values(fetched.responses[0].partitions[0].records), ['fire', 'forget'])
  assert.equal(client.isClosed, false)
})

test('acks=0 to an unknown topic closes the connection after answering the request before it', { timeout: 10_000 }, async () => {
  const connection = await WireClient.connect(broker.port)
  const metadataFrame = connection.nextFrame()
  connection.writeRaw(Buffer.concat([
    connection.encodeRequest(ApiKey.Metadata, 12, metadataRequest(['data'])),
    connection.encodeRequest(ApiKey.Produce, 9, produceRequest('no-such-topic', { 0: recordBatch(['lost']) }, 0)),
  ]))
  const metadata = connection.decodeResponse<MetadataResponse>(ApiKey.Metadata, 12, await metadataFrame)
  assert.equal(metadata.topics[0].name, 'data')
  await connection.closed
  await assert.rejects(connection.nextFrame(), /connection closed/)
})

test('acks=0 with a corrupt batch closes the connection; the valid partition of the same request is stored', { timeout: 10_000 }, async () => {
  const before = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('data', 1, -1n))).topics[0].partitions[0].offset
  const corrupt = recordBatch(['bad'])
  corrupt[corrupt.length - 1] ^= 0xff
  const connection = await WireClient.connect(broker.port)
  connection.writeRaw(connection.encodeRequest(ApiKey.Produce, 9, produceRequest('data', { 0: corrupt, 1: recordBatch(['kept']) }, 0)))
  await connection.closed
  // Long-poll: the append may still wait for its fsync before the high watermark covers it.
  const fetched = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 1, fetchOffset: before }], { maxWaitMs: 5000, minBytes: 1 }))
  assert.deepEqual(values(fetched.responses[0].partitions[0].records), ['kept'])
})

test('LogAppendTime topics stamp the broker time on the batch', async () => {
  const startedMs = Date.now()
  const result = await produce('append-time', 0, recordBatch(['t'], 1000))
  assert.ok(result.logAppendTimeMs >= BigInt(startedMs), `logAppendTimeMs ${result.logAppendTimeMs}`)
  const response = await client.request<FetchResponse>(ApiKey.Fetch, 11, fetchRequest([{ topic: 'append-time', partition: 0, fetchOffset: 0n }]))
  const [batch] = decodeRecordBatches(response.responses[0].partitions[0].records!)
  assert.equal(parseAttributes(batch.attributes).timestampType, TimestampType.LogAppendTime)
  assert.equal(batch.maxTimestamp, result.logAppendTimeMs)
})

test('a long-poll fetch is woken by an append from another connection', async () => {
  const end = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('data', 0, -1n))).topics[0].partitions[0].offset
  const startedMs = Date.now()
  const fetching = client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: end }], { maxWaitMs: 10_000, minBytes: 1 }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  const producer = await WireClient.connect(broker.port)
  await producer.request(ApiKey.Produce, 9, produceRequest('data', { 0: recordBatch(['wake']) }))
  producer.close()
  const response = await fetching
  assert.ok(Date.now() - startedMs < 5000, 'woken well before maxWaitMs')
  assert.deepEqual(values(response.responses[0].partitions[0].records), ['wake'])
})

test('a long-poll fetch without data returns empty after maxWaitMs', async () => {
  const end = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('data', 0, -1n))).topics[0].partitions[0].offset
  const startedMs = Date.now()
  const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: end }], { maxWaitMs: 300, minBytes: 1 }))
  const elapsedMs = Date.now() - startedMs
  assert.ok(elapsedMs >= 250 && elapsedMs < 3000, `elapsed ${elapsedMs} ms`)
  assert.equal(response.responses[0].partitions[0].records?.length ?? 0, 0)
})

test('the response byte budget gives the first partition a whole batch and the next none', async () => {
  const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([
    { topic: 'data', partition: 0, fetchOffset: 0n },
    { topic: 'data', partition: 1, fetchOffset: 0n },
  ], { maxBytes: 10 }))
  const [zero, one] = response.responses[0].partitions
  assert.ok(values(zero.records).length >= 1, 'first batch returned whole although larger than maxBytes')
  assert.equal(decodeRecordBatches(zero.records!).length, 1)
  assert.equal(one.records?.length ?? 0, 0)
  assert.ok(one.highWatermark > 0n)
})

test('fetch by topic id (v13+), unknown ids, sessions and out-of-range offsets', async () => {
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['data']))
  const topicId = metadata.topics[0].topicId
  const byId = await client.request<FetchResponse>(ApiKey.Fetch, 16, fetchRequest([{ topic: '', topicId, partition: 0, fetchOffset: 0n }]))
  assert.equal(byId.responses[0].topicId, topicId)
  assert.deepEqual(values(byId.responses[0].partitions[0].records).slice(0, 4), ['a', 'b', 'c', 'd'])
  const unknown = await client.request<FetchResponse>(ApiKey.Fetch, 16, fetchRequest([{ topic: '', topicId: '0b6c8f0e-1111-4a22-9c33-444455556666', partition: 0, fetchOffset: 0n }]))
  assert.equal(unknown.responses[0].partitions[0].errorCode, ErrorCode.UnknownTopicId)
  const session = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: 0n }], { sessionId: 42, sessionEpoch: 1 }))
  assert.equal(session.errorCode, ErrorCode.FetchSessionIdNotFound)
  const created = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: 0n }], { sessionId: 0, sessionEpoch: 0 }))
  assert.equal(created.sessionId, 0)
  assert.equal(created.errorCode, ErrorCode.None)
  const outOfRange = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 0, fetchOffset: 1000n }]))
  assert.equal(outOfRange.responses[0].partitions[0].errorCode, ErrorCode.OffsetOutOfRange)
})

test('ListOffsets: earliest, latest, max timestamp and by timestamp', async () => {
  await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'times' }]))
  for (const timestamp of [1000, 5000, 3000]) await produce('times', 0, recordBatch([`at-${timestamp}`], timestamp))
  const lookUp = async (timestamp: bigint, version = 8): Promise<{ offset: bigint; timestamp: bigint; errorCode: number; leaderEpoch: number }> =>
    (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, version, listOffsetsRequest('times', 0, timestamp))).topics[0].partitions[0]
  assert.equal((await lookUp(-2n)).offset, 0n)
  assert.equal((await lookUp(-1n)).offset, 3n)
  assert.deepEqual(await lookUp(-3n), { ...(await lookUp(-3n)), offset: 1n, timestamp: 5000n })
  assert.equal((await lookUp(2000n)).offset, 1n)
  assert.equal((await lookUp(5000n)).offset, 1n)
  assert.equal((await lookUp(6000n)).offset, -1n)
  assert.equal((await lookUp(0n)).offset, 0n)
  assert.equal((await lookUp(0n, 2)).leaderEpoch, -1)
  assert.equal((await lookUp(0n, 4)).leaderEpoch, 0)
})

test('DeleteRecords moves the log start offset', async () => {
  const response = await client.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, { topics: [{ name: 'times', partitions: [{ partitionIndex: 0, offset: 2n }] }], timeoutMs: 1000 })
  assert.deepEqual(response.topics[0].partitions[0], { partitionIndex: 0, lowWatermark: 2n, errorCode: ErrorCode.None })
  const earliest = await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('times', 0, -2n))
  assert.equal(earliest.topics[0].partitions[0].offset, 2n)
  const fetched = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'times', partition: 0, fetchOffset: 0n }]))
  assert.equal(fetched.responses[0].partitions[0].errorCode, ErrorCode.OffsetOutOfRange)
  assert.equal(fetched.responses[0].partitions[0].logStartOffset, 2n)
  const beyond = await client.request<DeleteRecordsResponse>(ApiKey.DeleteRecords, 2, { topics: [{ name: 'times', partitions: [{ partitionIndex: 0, offset: 99n }] }], timeoutMs: 1000 })
  assert.equal(beyond.topics[0].partitions[0].errorCode, ErrorCode.OffsetOutOfRange)
})

test('a record without a key is refused with INVALID_RECORD on a compacted topic, accepted elsewhere', async () => {
  const created = await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'compacted-keys', configs: { 'cleanup.policy': 'compact' } }]))
  assert.equal(created.topics[0].errorCode, ErrorCode.None)
  const keyless = encodeRecordBatch(createRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v') }, { key: null, value: Buffer.from('no key') }], timestamp: Date.now() }))
  const refused = await produce('compacted-keys', 0, keyless)
  assert.equal(refused.errorCode, ErrorCode.InvalidRecord)
  assert.match(refused.errorMessage ?? '', /batch 0 record 1: .*without key/)
  assert.deepEqual(refused.recordErrors.map((error) => error.batchIndex), [0])
  const keyed = await produce('compacted-keys', 0, recordBatch(['v']))
  assert.equal(keyed.errorCode, ErrorCode.None)
  const elsewhere = await produce('data', 1, encodeRecordBatch(createRecordBatch({ records: [{ key: null, value: Buffer.from('fine') }], timestamp: Date.now() })))
  assert.equal(elsewhere.errorCode, ErrorCode.None)
})

test('one Fetch response is capped at the broker\'s fetchMaxBytes (4 MiB) even when the request allows more', async () => {
  const value = 'x'.repeat(200 * 1024)
  for (let batch = 0; batch < 6; batch++) assert.equal((await produce('data', 1, recordBatch([value, value, value, value]))).errorCode, ErrorCode.None)
  const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'data', partition: 1, fetchOffset: 0n, partitionMaxBytes: 50 * 1024 * 1024 }], { maxBytes: 50 * 1024 * 1024 }))
  const records = response.responses[0].partitions[0].records!
  assert.ok(records.length <= 4 * 1024 * 1024, `response carried ${records.length} bytes`)
  assert.ok(records.length >= 3 * 800 * 1024, `response carried only ${records.length} bytes`)
})

// Internal: Produce requests whose record batches and request bodies are encoded with
// @tributary/protocol and sent on the wrapped library's connections (Wire.sendEncoded). The
// wrapped library encodes every record through a fresh writer, about 12x the CPU of our batch
// encoder (measured: 66,000 small records, 90 ms against 7.5 ms), and a transactional Kafka
// Streams application produces every repartitioned, changelogged and output record.
// The producer keeps producer id, epoch and sequence numbers; this module only builds,
// sends, retries and reads the answers.
import { ApiKey, CompressionType, ProduceRequest, ProduceResponse, createRecordBatch, encodeRecordBatch, type RecordInput } from '@tributary/protocol'
import { ClientError, ClientErrorCode, KafkaProtocolError, toClientError } from './errors.ts'
import type { Compression, RecordMetadata } from './types.ts'
import type { ClusterView, Wire } from './wire.ts'

/** The records of one partition in one send, in send order. */
export interface PartitionBatch {
  readonly topic: string
  readonly partition: number
  readonly records: RecordInput[]
  /** Where each record is in the send's record list (its RecordMetadata goes there). */
  readonly positions: number[]
  /** The encoded record batch; encoded once, so a retry resends the same sequence numbers. */
  encoded?: Uint8Array
}

export interface BatchIdentity {
  producerId: bigint
  producerEpoch: number
  /** First sequence number of the batch (-1: not idempotent). */
  baseSequence: number
  transactional: boolean
}

export interface ProduceSettings {
  acks: -1 | 0 | 1
  timeoutMs: number
  compression: Compression
  transactionalId: string | null
  retries: number
  retryDelayMs: number
}

const compressionTypes: Readonly<Record<Compression, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
}

/** Encodes `batch` once as a record batch (records without a timestamp get `nowMs`). */
export function encodePartitionBatch(batch: PartitionBatch, identity: BatchIdentity | undefined, compression: Compression, nowMs: number): void {
  batch.encoded = encodeRecordBatch(createRecordBatch({
    records: batch.records,
    timestamp: nowMs,
    compression: compressionTypes[compression],
    isTransactional: identity?.transactional ?? false,
    producerId: identity?.producerId,
    producerEpoch: identity?.producerEpoch,
    baseSequence: identity?.baseSequence,
  }))
}

/**
 * Sends encoded partition batches to their leaders (one request per leader, concurrently) and
 * writes each record's metadata into `out` at its position; `view` is the metadata the batches
 * were partitioned with. Partitions that fail with a
 * retriable error (lost connection, NOT_LEADER_OR_FOLLOWER, ...) are resent, the same bytes,
 * after a metadata refresh, up to `settings.retries` times; then, or on any other error, the
 * first error rejects.
 */
export async function produceBatches(wire: Wire, view: ClusterView, topics: readonly string[], batches: readonly PartitionBatch[], settings: ProduceSettings, out: RecordMetadata[]): Promise<void> {
  const version = await wire.apiVersion('Produce')
  let remaining = batches
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) view = await wire.metadata(topics, true)
    const failures = await sendOnce(wire, view, version, remaining, settings, out)
    if (failures.length === 0) return
    if (attempt >= settings.retries || !failures.every((failure) => failure.error.retriable)) throw failures[0].error
    await new Promise((resolve) => setTimeout(resolve, settings.retryDelayMs))
    remaining = failures.map((failure) => failure.batch)
  }
}

interface Failure {
  batch: PartitionBatch
  error: Error & { retriable: boolean }
}

async function sendOnce(wire: Wire, view: ClusterView, version: number, batches: readonly PartitionBatch[], settings: ProduceSettings, out: RecordMetadata[]): Promise<Failure[]> {
  const failures: Failure[] = []
  const byLeader = new Map<number, PartitionBatch[]>()
  for (const batch of batches) {
    const leader = view.topics.get(batch.topic)?.partitions[batch.partition]?.leader ?? -1
    if (leader < 0) {
      failures.push({ batch, error: new KafkaProtocolError(5, { topic: batch.topic, partition: batch.partition, context: 'produce' }) })
      continue
    }
    let list = byLeader.get(leader)
    if (list === undefined) byLeader.set(leader, (list = []))
    list.push(batch)
  }
  await Promise.all([...byLeader].map(async ([leader, list]) => {
    try {
      await sendToLeader(wire, leader, version, list, settings, out, failures)
    } catch (error) {
      const mapped = toClientError(error, 'produce') as Error & { retriable: boolean }
      for (const batch of list) failures.push({ batch, error: mapped })
    }
  }))
  return failures
}

async function sendToLeader(wire: Wire, leader: number, version: number, list: readonly PartitionBatch[], settings: ProduceSettings, out: RecordMetadata[], failures: Failure[]): Promise<void> {
  const byTopic = new Map<string, Map<number, PartitionBatch>>()
  for (const batch of list) {
    let partitions = byTopic.get(batch.topic)
    if (partitions === undefined) byTopic.set(batch.topic, (partitions = new Map()))
    partitions.set(batch.partition, batch)
  }
  const body = ProduceRequest.encode({
    transactionalId: settings.transactionalId,
    acks: settings.acks,
    timeoutMs: settings.timeoutMs,
    topicData: [...byTopic].map(([name, partitions]) => ({ name, partitionData: [...partitions.values()].map((batch) => ({ index: batch.partition, records: batch.encoded! })) })),
  }, version)
  const response = await wire.sendEncoded(leader, { apiKey: ApiKey.Produce, version, body, expectResponse: settings.acks !== 0 }, (bytes) => ProduceResponse.decode(bytes, version))
  if (response === undefined) {
    // acks=0: no answer, no offsets.
    for (const batch of list) for (const position of batch.positions) out[position] = { topic: batch.topic, partition: batch.partition, offset: -1n }
    return
  }
  const answered = new Map<PartitionBatch, { errorCode: number; baseOffset: bigint; errorMessage: string | null }>()
  for (const topicResponse of response.responses) {
    const partitions = byTopic.get(topicResponse.name)
    for (const partitionResponse of topicResponse.partitionResponses) {
      const batch = partitions?.get(partitionResponse.index)
      if (batch !== undefined) answered.set(batch, partitionResponse)
    }
  }
  for (const batch of list) {
    const answer = answered.get(batch)
    if (answer === undefined) {
      failures.push({ batch, error: new ClientError(ClientErrorCode.Internal, `produce: the broker's answer has no ${batch.topic}-${batch.partition}`, { domain: 'external', retriable: false }) })
    } else if (answer.errorCode !== 0) {
      failures.push({ batch, error: new KafkaProtocolError(answer.errorCode, { topic: batch.topic, partition: batch.partition, serverMessage: answer.errorMessage, context: 'produce' }) })
    } else {
      let offset = answer.baseOffset
      for (const position of batch.positions) out[position] = { topic: batch.topic, partition: batch.partition, offset: offset++ }
    }
  }
}

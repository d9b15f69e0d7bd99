// The producer: batching (lingerMs / maxBatchBytes), idempotence and transactions. Partitions
// are chosen here (explicit, else murmur2(key) like Kafka's default partitioner, else
// round-robin), so every record's offset is known. Record batches and Produce requests are
// ours (produce-request.ts), with our sequence numbers; the wrapped library's producer keeps
// the connections, the producer id (InitProducerId) and the transaction's coordinator calls.
// sendOffsetsToTransaction is ours: AddOffsetsToTxn + one TxnOffsetCommit carrying the group
// generation and member id, which the wrapped library only offers per consumed message.
import { murmur2, Producer as PlatformaticProducer } from '@platformatic/kafka'
import { ClientError, ClientErrorCode, KafkaProtocolError, toClientError } from './errors.ts'
import { callKeepingResponse } from './offsets.ts'
import { encodePartitionBatch, produceBatches, type PartitionBatch } from './produce-request.ts'
import type { ClientOptions, Compression, ConsumerGroupMetadata, ProducerRecord, RecordMetadata, TopicPartitionOffset } from './types.ts'
import { toBaseOptions, Wire, type ClusterView } from './wire.ts'

export interface ProducerOptions extends ClientOptions {
  /** Exactly-once per partition within a session (acks=all, one request in flight). */
  idempotent?: boolean
  /** Enables transactions; implies idempotent. */
  transactionalId?: string
  /** -1 (all in-sync replicas), 1 (leader) or 0 (no response). Default -1. */
  acks?: -1 | 0 | 1
  compression?: Compression
  /** How long send() waits for more records before sending a batch. Default 0 (send at once). */
  lingerMs?: number
  /** A pending batch is sent as soon as its keys+values reach this size. Default 1 MiB. */
  maxBatchBytes?: number
  /** send() fails with CLIENT_BUFFER_FULL beyond this many unsent records. Default 100000. */
  maxBufferedRecords?: number
}

type Transaction = Awaited<ReturnType<PlatformaticProducer['beginTransaction']>>

interface Pending {
  records: ProducerRecord[]
  resolve: (metadata: RecordMetadata[]) => void
  reject: (error: Error) => void
}

export class Producer {
  readonly #options: ProducerOptions
  readonly #producer: PlatformaticProducer
  readonly #wire: Wire
  readonly #roundRobin = new Map<string, number>()
  #pending: Pending[] = []
  #pendingRecords = 0
  #pendingBytes = 0
  #lingerTimer: NodeJS.Timeout | undefined
  #inFlight: Promise<unknown> = Promise.resolve()
  #transaction: Transaction | undefined
  #closed = false
  /** Next sequence number per topic and partition, for the producer id and epoch in #sequencesOf. */
  readonly #sequences = new Map<string, Map<number, number>>()
  #sequencesOf: { producerId: bigint; producerEpoch: number } | undefined
  /** Group coordinator per group id for TxnOffsetCommit, found once and forgotten after any failure (as the Java producer keeps it). */
  readonly #groupCoordinators = new Map<string, number>()
  /** A send of the idempotent (non-transactional) producer failed: the next one takes a new producer id. */
  #identityLost = false

  constructor(options: ProducerOptions) {
    this.#options = options
    const transactional = options.transactionalId !== undefined
    const idempotent = transactional || options.idempotent === true
    if (idempotent && options.acks !== undefined && options.acks !== -1) {
      throw new ClientError(ClientErrorCode.InvalidArgument, 'an idempotent or transactional producer needs acks = -1', { domain: 'user', retriable: false })
    }
    this.#producer = new PlatformaticProducer({
      ...toBaseOptions(options, 'tributary-producer'),
      idempotent,
      transactionalId: options.transactionalId,
      // A fresh producer has no id: InitProducerId v3+ must carry -1/-1 (KIP-360). The wrapped
      // library defaults to 0/0, which a coordinator reads as "producer 0, epoch 0" and fences
      // when the transactional id's current producer id happens to be 0.
      producerId: -1n,
      producerEpoch: -1,
      // Produce requests are ours (produce-request.ts): acks and compression apply there.
    })
    this.#wire = new Wire(this.#producer)
  }

  /** Queues records and resolves with their offsets once the broker acknowledged them. */
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (this.#closed) return Promise.reject(new ClientError(ClientErrorCode.Closed, 'the producer is closed', { domain: 'user', retriable: false }))
    if (records.length === 0) return Promise.resolve([])
    if (this.#options.transactionalId !== undefined && this.#transaction === undefined) {
      return Promise.reject(new ClientError(ClientErrorCode.InvalidState, 'a transactional producer sends only inside a transaction (call beginTransaction first)', { domain: 'user', retriable: false }))
    }
    // Checked here, so that a bad record fails its own send only, not the others batched with it.
    const badTimestamp = records.findIndex((record) => record.timestamp !== undefined && !isTimestampMs(Number(record.timestamp)))
    if (badTimestamp >= 0) {
      const record = records[badTimestamp]
      return Promise.reject(new ClientError(ClientErrorCode.InvalidArgument, `record ${badTimestamp} for ${record.topic}: timestamp ${String(record.timestamp)} is not a non-negative whole number of ms`, { domain: 'user', retriable: false }))
    }
    if (this.#pendingRecords + records.length > (this.#options.maxBufferedRecords ?? 100_000)) {
      return Promise.reject(new ClientError(ClientErrorCode.BufferFull, `more than maxBufferedRecords records are waiting to be sent`, { domain: 'user', retriable: true }))
    }
    return new Promise<RecordMetadata[]>((resolve, reject) => {
      this.#pending.push({ records: [...records], resolve, reject })
      this.#pendingRecords += records.length
      for (const record of records) this.#pendingBytes += (record.key?.length ?? 0) + (record.value?.length ?? 0)
      const lingerMs = this.#options.lingerMs ?? 0
      if (lingerMs <= 0 || this.#pendingBytes >= (this.#options.maxBatchBytes ?? 1_048_576)) void this.#sendPending()
      else this.#lingerTimer ??= setTimeout(() => void this.#sendPending(), lingerMs)
    })
  }

  /** Sends everything queued and waits for all acknowledgements. */
  async flush(): Promise<void> {
    await this.#sendPending()
    await this.#inFlight
  }

  async beginTransaction(): Promise<void> {
    this.#requireTransactional()
    if (this.#transaction !== undefined) throw new ClientError(ClientErrorCode.InvalidState, 'a transaction is already open', { domain: 'user', retriable: false })
    try {
      this.#transaction = await this.#producer.beginTransaction()
    } catch (error) {
      throw toClientError(error, 'beginTransaction')
    }
  }

  async commitTransaction(): Promise<void> {
    const transaction = this.#openTransaction()
    await this.flush()
    try {
      await transaction.commit()
    } catch (error) {
      throw toClientError(error, 'commitTransaction')
    } finally {
      this.#transaction = undefined
    }
  }

  async abortTransaction(): Promise<void> {
    const transaction = this.#openTransaction()
    await this.flush().catch(() => undefined)
    try {
      await transaction.abort()
    } catch (error) {
      throw toClientError(error, 'abortTransaction')
    } finally {
      this.#transaction = undefined
    }
  }

  /**
   * Adds consumed offsets (next offsets to read) to the open transaction: they become the
   * group's committed offsets if and only if the transaction commits. The generation and member
   * id let the coordinator fence a zombie member.
   */
  async sendOffsetsToTransaction(offsets: readonly TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    this.#openTransaction()
    const transactionalId = this.#options.transactionalId!
    const producerId = this.#producer.producerId
    const producerEpoch = this.#producer.producerEpoch
    if (producerId === undefined || producerEpoch === undefined) throw new ClientError(ClientErrorCode.InvalidState, 'the producer has no producer id yet', { domain: 'internal', retriable: false })
    const transactionCoordinator = this.#producer.coordinatorId ?? (await this.#wire.findCoordinator(1, transactionalId))
    await this.#wire.call('AddOffsetsToTxn', transactionCoordinator, [transactionalId, producerId, producerEpoch, group.groupId])
    const topics = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }[]>()
    for (const offset of offsets) {
      const list = topics.get(offset.topic) ?? []
      topics.set(offset.topic, list)
      list.push({ partitionIndex: offset.partition, committedOffset: offset.offset, committedLeaderEpoch: offset.leaderEpoch ?? -1, committedMetadata: offset.metadata ?? null })
    }
    let groupCoordinator = this.#groupCoordinators.get(group.groupId)
    if (groupCoordinator === undefined) this.#groupCoordinators.set(group.groupId, (groupCoordinator = await this.#wire.findCoordinator(0, group.groupId)))
    const body = [...topics].map(([name, partitions]) => ({ name, partitions }))
    const args = [transactionalId, group.groupId, producerId, producerEpoch, group.generationId, group.memberId, group.groupInstanceId, body]
    try {
      const response = await callKeepingResponse<{ topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }>(this.#wire, 'TxnOffsetCommit', groupCoordinator, args)
      for (const topic of response.topics) {
        for (const partition of topic.partitions) {
          if (partition.errorCode !== 0) throw new KafkaProtocolError(partition.errorCode, { topic: topic.name, partition: partition.partitionIndex, context: 'TxnOffsetCommit' })
        }
      }
    } catch (error) {
      // NOT_COORDINATOR, a lost connection or any other failure: look the coordinator up again next time.
      this.#groupCoordinators.delete(group.groupId)
      throw error
    }
  }

  /** Number of partitions of `topic`. */
  async partitionCount(topic: string): Promise<number> {
    return partitionsOf(await this.#wire.metadata([topic]), topic)
  }

  /** Producer id and epoch once initialised (idempotent/transactional producers). */
  get producerIdentity(): { producerId: bigint; producerEpoch: number } | undefined {
    const producerId = this.#producer.producerId
    const producerEpoch = this.#producer.producerEpoch
    return producerId === undefined || producerEpoch === undefined ? undefined : { producerId, producerEpoch }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    await this.flush().catch(() => undefined)
    this.#closed = true
    await this.#producer.close(true)
  }

  async #sendPending(): Promise<void> {
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer)
    this.#lingerTimer = undefined
    if (this.#pending.length === 0) return
    const pending = this.#pending
    this.#pending = []
    this.#pendingRecords = 0
    this.#pendingBytes = 0
    // One request at a time keeps send order = offset order, which idempotence requires anyway.
    // Records queued while a request was in flight can add up to far more than maxBatchBytes, so
    // they go out as several requests of at most maxBatchBytes each (a single larger record alone).
    for (const batch of splitPending(pending, this.#options.maxBatchBytes ?? 1_048_576)) {
      const run = this.#inFlight.then(() => this.#sendBatch(batch))
      this.#inFlight = run.catch(() => undefined)
    }
    await this.#inFlight
  }

  async #sendBatch(batch: Pending[]): Promise<void> {
    try {
      const topics = [...new Set(batch.flatMap((pending) => pending.records.map((record) => record.topic)))]
      const view = await this.#wire.metadata(topics)
      // A send naming a partition the topic lacks fails alone, not the sends batched with it.
      const accepted = batch.filter((pending) => {
        const refusal = missingPartition(pending.records, view)
        if (refusal !== undefined) pending.reject(refusal)
        return refusal === undefined
      })
      if (accepted.length === 0) return
      const metadata = await this.#produce(accepted.flatMap((pending) => pending.records), topics, view)
      let cursor = 0
      for (const pending of accepted) {
        pending.resolve(metadata.slice(cursor, cursor + pending.records.length))
        cursor += pending.records.length
      }
    } catch (error) {
      const mapped = toClientError(error, 'produce')
      if (this.#options.transactionalId === undefined) this.#identityLost = true
      for (const pending of batch) pending.reject(mapped)
    }
  }

  /**
   * Partitions, encodes (produce-request.ts) and sends `records` (whose explicit partitions
   * exist in `view`); resolves with their metadata in record order. Sequence numbers are taken
   * before sending, so a retry resends the same ones; a failed send of an idempotent,
   * non-transactional producer makes the next send start a new producer id (its sequences
   * restart at 0), as the wrapped library does.
   */
  async #produce(records: readonly ProducerRecord[], topics: readonly string[], view: ClusterView): Promise<RecordMetadata[]> {
    const counts = new Map<string, number>()
    for (const topic of topics) counts.set(topic, partitionsOf(view, topic))
    const identity = await this.#identity()
    // Runs for every record produced: one lookup per record, no per-record string keys.
    const byTopic = new Map<string, Map<number, PartitionBatch>>()
    const batches: PartitionBatch[] = []
    for (let position = 0; position < records.length; position++) {
      const record = records[position]
      const partition = this.#partitionOf(record, counts.get(record.topic)!)
      let partitions = byTopic.get(record.topic)
      if (partitions === undefined) byTopic.set(record.topic, (partitions = new Map()))
      let partitionBatch = partitions.get(partition)
      if (partitionBatch === undefined) {
        partitions.set(partition, (partitionBatch = { topic: record.topic, partition, records: [], positions: [] }))
        batches.push(partitionBatch)
      }
      partitionBatch.records.push({
        key: record.key ?? null,
        value: record.value,
        headers: record.headers === undefined || record.headers.length === 0 ? undefined : [...record.headers],
        timestamp: record.timestamp === undefined ? undefined : Number(record.timestamp),
      })
      partitionBatch.positions.push(position)
    }
    if (this.#transaction !== undefined) await this.#addPartitionsToTransaction(topics, batches)
    const nowMs = Date.now()
    for (const partitionBatch of batches) {
      const batchIdentity = identity === undefined ? undefined : { ...identity, baseSequence: this.#takeSequences(partitionBatch), transactional: this.#transaction !== undefined }
      encodePartitionBatch(partitionBatch, batchIdentity, this.#options.compression ?? 'none', nowMs)
    }
    const out: RecordMetadata[] = new Array(records.length)
    await produceBatches(this.#wire, view, topics, batches, {
      acks: this.#options.acks ?? -1,
      timeoutMs: this.#options.requestTimeoutMs ?? 30_000,
      compression: this.#options.compression ?? 'none',
      transactionalId: this.#transaction === undefined ? null : this.#options.transactionalId!,
      retries: this.#options.retries ?? 3,
      retryDelayMs: this.#options.retryDelayMs ?? 250,
    }, out)
    return out
  }

  /** Explicit partition, else murmur2 of the key, else round-robin. */
  #partitionOf(record: ProducerRecord, count: number): number {
    if (record.partition !== undefined) return record.partition
    const key = record.key
    // murmur2 mod 1 is 0: a one-partition topic needs no hash.
    if (key !== undefined && key !== null) return count === 1 ? 0 : (murmur2(asBuffer(key), false) & 0x7fffffff) % count
    const next = this.#roundRobin.get(record.topic) ?? 0
    this.#roundRobin.set(record.topic, next + 1)
    return next % count
  }

  /**
   * Producer id and epoch of an idempotent or transactional producer (undefined otherwise);
   * initialised on first use, renewed after a failed idempotent send. A new id or epoch starts
   * every partition's sequence at 0.
   */
  async #identity(): Promise<{ producerId: bigint; producerEpoch: number } | undefined> {
    const transactional = this.#options.transactionalId !== undefined
    if (!transactional && this.#options.idempotent !== true) return undefined
    if (!transactional && (this.#identityLost || this.#producer.producerId === undefined)) {
      this.#identityLost = false
      try {
        await this.#producer.initIdempotentProducer({ producerId: -1n, producerEpoch: -1 })
      } catch (error) {
        this.#identityLost = true
        throw toClientError(error, 'initProducerId')
      }
    }
    const identity = this.producerIdentity
    if (identity === undefined) throw new ClientError(ClientErrorCode.InvalidState, 'the producer has no producer id yet', { domain: 'internal', retriable: false })
    if (this.#sequencesOf === undefined || this.#sequencesOf.producerId !== identity.producerId || this.#sequencesOf.producerEpoch !== identity.producerEpoch) {
      this.#sequences.clear()
      this.#sequencesOf = identity
    }
    return identity
  }

  /** The batch's first sequence number; advances the partition's next one past the batch (int32, wrapping as Kafka's do). */
  #takeSequences(batch: PartitionBatch): number {
    let partitions = this.#sequences.get(batch.topic)
    if (partitions === undefined) this.#sequences.set(batch.topic, (partitions = new Map()))
    const first = partitions.get(batch.partition) ?? 0
    partitions.set(batch.partition, (first + batch.records.length) % 2_147_483_648)
    return first
  }

  /** AddPartitionsToTxn for the partitions the open transaction has not written yet (the wrapped library remembers which). */
  async #addPartitionsToTransaction(topics: readonly string[], batches: readonly PartitionBatch[]): Promise<void> {
    try {
      const metadata = await this.#producer.metadata({ topics: [...topics] })
      const partitions = batches.map((batch) => ({ topic: batch.topic, partition: batch.partition, value: null }))
      await this.#transaction!.addPartitions(metadata, partitions as unknown as Parameters<Transaction['addPartitions']>[1])
    } catch (error) {
      throw toClientError(error, 'addPartitionsToTxn')
    }
  }

  #requireTransactional(): void {
    if (this.#options.transactionalId === undefined) throw new ClientError(ClientErrorCode.InvalidState, 'transactions need a transactionalId', { domain: 'user', retriable: false })
  }

  #openTransaction(): Transaction {
    this.#requireTransactional()
    if (this.#transaction === undefined) throw new ClientError(ClientErrorCode.InvalidState, 'no open transaction (call beginTransaction first)', { domain: 'user', retriable: false })
    return this.#transaction
  }
}

/**
 * The bytes as a Buffer: the same object when it already is one; a small array (V8 keeps typed
 * arrays of up to 64 bytes inside the heap, and reading their `.buffer` moves them out, which
 * cost 3× a copy here) is copied into Node's buffer pool; a larger one is viewed, not copied.
 */
function asBuffer(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes
  return bytes.byteLength <= 64 ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** INVALID_ARGUMENT for the first record of `records` whose explicit partition its topic (in `view`) lacks. */
function missingPartition(records: readonly ProducerRecord[], view: ClusterView): ClientError | undefined {
  for (const record of records) {
    if (record.partition === undefined) continue
    const count = partitionsOf(view, record.topic)
    if (record.partition < 0 || record.partition >= count || !Number.isInteger(record.partition)) {
      return new ClientError(ClientErrorCode.InvalidArgument, `partition ${record.partition} does not exist in ${record.topic} (${count} partitions)`, { domain: 'user', retriable: false })
    }
  }
  return undefined
}

/** A record timestamp Kafka's producer accepts: ms since the epoch, whole and non-negative. */
function isTimestampMs(timestamp: number): boolean {
  return Number.isSafeInteger(timestamp) && timestamp >= 0
}

/** Number of partitions of `topic` in `view`; UNKNOWN_TOPIC_OR_PARTITION when it has none. */
function partitionsOf(view: ClusterView, topic: string): number {
  const layout = view.topics.get(topic)
  if (layout === undefined) throw new KafkaProtocolError(3, { topic, context: 'metadata' })
  return layout.partitions.length
}

export function createProducer(options: ProducerOptions): Producer {
  return new Producer(options)
}

/** Bytes a record adds to a batch besides key and value: attributes, varints, deltas (upper bound). */
const recordOverheadBytes = 24

function recordBytes(record: ProducerRecord): number {
  let bytes = recordOverheadBytes + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const header of record.headers ?? []) bytes += header.key.length + (header.value?.length ?? 0) + 8
  return bytes
}

/**
 * Splits queued sends into requests of at most `maxBatchBytes` estimated bytes, keeping record
 * order. A send whose records span several requests resolves with all their offsets once every
 * part is acknowledged, and rejects with the first failure.
 */
function splitPending(pending: readonly Pending[], maxBatchBytes: number): Pending[][] {
  const batches: Pending[][] = []
  let batch: Pending[] = []
  let batchBytes = 0
  const close = (): void => {
    if (batch.length > 0) batches.push(batch)
    batch = []
    batchBytes = 0
  }
  for (const send of pending) {
    const parts: ProducerRecord[][] = [[]]
    for (const record of send.records) {
      const bytes = recordBytes(record)
      if (batchBytes + bytes > maxBatchBytes && batchBytes > 0) {
        const current = parts[parts.length - 1]
        if (current.length > 0) {
          batch.push(partOf(send, parts, current))
          parts.push([])
        }
        close()
      }
      parts[parts.length - 1].push(record)
      batchBytes += bytes
    }
    if (parts[parts.length - 1].length > 0) batch.push(partOf(send, parts, parts[parts.length - 1]))
  }
  close()
  return batches
}

/** A part of a send: the send resolves when all `parts` have, in order. */
function partOf(send: Pending, parts: ProducerRecord[][], records: ProducerRecord[]): Pending {
  if (parts.length === 1 && records.length === send.records.length) return send
  const state = (send as PendingWithParts).partState ??= { results: new Map(), settled: false, parts }
  const index = parts.indexOf(records)
  return {
    records,
    resolve: (metadata) => {
      state.results.set(index, metadata)
      if (state.results.size === state.parts.length && !state.settled) {
        state.settled = true
        send.resolve(state.parts.flatMap((_, part) => state.results.get(part)!))
      }
    },
    reject: (error) => {
      if (state.settled) return
      state.settled = true
      send.reject(error)
    },
  }
}

interface PendingWithParts extends Pending {
  partState?: { results: Map<number, RecordMetadata[]>; settled: boolean; parts: ProducerRecord[][] }
}

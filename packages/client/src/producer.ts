// The producer: batching (lingerMs / maxBatchBytes), idempotence and transactions over the
// wrapped library's producer. Partitions are chosen here (explicit, else murmur2(key) like
// Kafka's default partitioner, else round-robin), so every record's offset is known.
// sendOffsetsToTransaction is ours: AddOffsetsToTxn + one TxnOffsetCommit carrying the group
// generation and member id, which the wrapped library only offers per consumed message.
import { murmur2, Producer as PlatformaticProducer, type MessageToProduce } from '@platformatic/kafka'
import { ClientError, ClientErrorCode, KafkaProtocolError, toClientError } from './errors.ts'
import { callKeepingResponse } from './offsets.ts'
import type { ClientOptions, Compression, ConsumerGroupMetadata, ProducerRecord, RecordMetadata, TopicPartitionOffset } from './types.ts'
import { toBaseOptions, Wire } from './wire.ts'

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
      acks: options.acks ?? -1,
      compression: options.compression ?? 'none',
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
    const groupCoordinator = await this.#wire.findCoordinator(0, group.groupId)
    const body = [...topics].map(([name, partitions]) => ({ name, partitions }))
    const args = [transactionalId, group.groupId, producerId, producerEpoch, group.generationId, group.memberId, group.groupInstanceId, body]
    const response = await callKeepingResponse<{ topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }>(this.#wire, 'TxnOffsetCommit', groupCoordinator, args)
    for (const topic of response.topics) {
      for (const partition of topic.partitions) {
        if (partition.errorCode !== 0) throw new KafkaProtocolError(partition.errorCode, { topic: topic.name, partition: partition.partitionIndex, context: 'TxnOffsetCommit' })
      }
    }
  }

  /** Number of partitions of `topic`. */
  async partitionCount(topic: string): Promise<number> {
    const view = await this.#wire.metadata([topic])
    const layout = view.topics.get(topic)
    if (layout === undefined) throw new KafkaProtocolError(3, { topic, context: 'metadata' })
    return layout.partitions.length
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
      const records = batch.flatMap((pending) => pending.records)
      const messages = await this.#toMessages(records)
      const target = this.#transaction ?? this.#producer
      const result = await target.send({ messages })
      // Offsets: the partition's base offset plus the record's index within its partition, in
      // send order. Kept per topic then partition (no per-record string keys: this runs for every record).
      const partitions = new Map<string, Map<number, { next: bigint }>>()
      for (const offset of result.offsets ?? []) {
        let byPartition = partitions.get(offset.topic)
        if (byPartition === undefined) partitions.set(offset.topic, (byPartition = new Map()))
        byPartition.set(offset.partition, { next: offset.offset })
      }
      const metadata: RecordMetadata[] = new Array(messages.length)
      for (let index = 0; index < messages.length; index++) {
        const message = messages[index]
        const cursor = partitions.get(message.topic)?.get(message.partition!)
        metadata[index] = { topic: message.topic, partition: message.partition!, offset: cursor === undefined ? -1n : cursor.next++ }
      }
      let cursor = 0
      for (const pending of batch) {
        pending.resolve(metadata.slice(cursor, cursor + pending.records.length))
        cursor += pending.records.length
      }
    } catch (error) {
      const mapped = toClientError(error, 'produce')
      for (const pending of batch) pending.reject(mapped)
    }
  }

  async #toMessages(records: ProducerRecord[]): Promise<MessageToProduce[]> {
    const counts = new Map<string, number>()
    for (const topic of new Set(records.map((record) => record.topic))) counts.set(topic, await this.partitionCount(topic))
    // Runs for every record produced: no per-record Map. Keys and values become Buffers (the
    // wrapped library wants Buffers) the cheapest way (asBuffer); a record without headers
    // passes none (an empty Map per record cost more than the encoding of its count).
    return records.map((record) => {
      const count = counts.get(record.topic)!
      const key = record.key === undefined || record.key === null ? undefined : asBuffer(record.key)
      let partition = record.partition
      if (partition === undefined) {
        // murmur2 mod 1 is 0: a one-partition topic needs no hash.
        if (key !== undefined) partition = count === 1 ? 0 : (murmur2(key, false) & 0x7fffffff) % count
        else {
          const next = this.#roundRobin.get(record.topic) ?? 0
          this.#roundRobin.set(record.topic, next + 1)
          partition = next % count
        }
      } else if (partition < 0 || partition >= count) {
        throw new ClientError(ClientErrorCode.InvalidArgument, `partition ${partition} does not exist in ${record.topic} (${count} partitions)`, { domain: 'user', retriable: false })
      }
      let headers: Map<Buffer, Buffer> | undefined
      if (record.headers !== undefined && record.headers.length > 0) {
        headers = new Map()
        for (const header of record.headers) headers.set(Buffer.from(header.key, 'utf8'), header.value === null ? (null as unknown as Buffer) : Buffer.from(header.value))
      }
      const value = record.value === null ? (null as unknown as Buffer) : asBuffer(record.value)
      const timestamp = record.timestamp === undefined ? undefined : BigInt(record.timestamp)
      return { topic: record.topic, partition, key, value, headers, timestamp }
    })
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

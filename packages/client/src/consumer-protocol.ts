// The "consumer" embedded protocol: the bytes a member puts in JoinGroup (its subscription) and
// the bytes the leader puts in SyncGroup for each member (its assignment). Layout per Kafka's
// ConsumerProtocolSubscription / ConsumerProtocolAssignment schemas, non-flexible:
//   subscription v0: version int16, topics [string], userData nullable bytes
//                v1+: ownedPartitions [topic string, partitions [int32]]  (v2: generationId int32,
//                v3: rackId nullable string) — decoded when present, never required.
//   assignment   v0: version int16, assignedPartitions [topic string, partitions [int32]], userData nullable bytes
import { ClientError, ClientErrorCode } from './errors.ts'
import type { TopicPartition } from './types.ts'

export interface Subscription {
  topics: string[]
  userData: Uint8Array | null
  ownedPartitions: TopicPartition[]
}

export interface Assignment {
  partitions: TopicPartition[]
  userData: Uint8Array | null
}

/** Encodes a subscription; version 1 carries the partitions this member owns. */
export function encodeSubscription(subscription: Subscription, version: 0 | 1 = 1): Buffer {
  const writer = new ByteWriter()
  writer.int16(version)
  writer.array(subscription.topics, (topic) => writer.string(topic))
  writer.bytes(subscription.userData)
  if (version >= 1) writeTopicPartitions(writer, subscription.ownedPartitions)
  return writer.toBuffer()
}

export function decodeSubscription(bytes: Uint8Array): Subscription {
  const reader = new ByteReader(bytes)
  const version = reader.int16()
  const topics = reader.array(() => reader.string())
  const userData = reader.bytes()
  const ownedPartitions = version >= 1 && reader.remaining() > 0 ? readTopicPartitions(reader) : []
  return { topics, userData, ownedPartitions }
}

export function encodeAssignment(assignment: Assignment): Buffer {
  const writer = new ByteWriter()
  writer.int16(0)
  writeTopicPartitions(writer, assignment.partitions)
  writer.bytes(assignment.userData)
  return writer.toBuffer()
}

export function decodeAssignment(bytes: Uint8Array): Assignment {
  if (bytes.length === 0) return { partitions: [], userData: null }
  const reader = new ByteReader(bytes)
  reader.int16()
  const partitions = readTopicPartitions(reader)
  const userData = reader.remaining() >= 4 ? reader.bytes() : null
  return { partitions, userData }
}

function writeTopicPartitions(writer: ByteWriter, partitions: readonly TopicPartition[]): void {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? []
    list.push(partition)
    byTopic.set(topic, list)
  }
  writer.array([...byTopic], ([topic, list]) => {
    writer.string(topic)
    writer.array(list, (partition) => writer.int32(partition))
  })
}

function readTopicPartitions(reader: ByteReader): TopicPartition[] {
  const out: TopicPartition[] = []
  reader.array(() => {
    const topic = reader.string()
    for (const partition of reader.array(() => reader.int32())) out.push({ topic, partition })
  })
  return out
}

class ByteWriter {
  readonly #chunks: Buffer[] = []

  int16(value: number): void {
    const buffer = Buffer.alloc(2)
    buffer.writeInt16BE(value)
    this.#chunks.push(buffer)
  }

  int32(value: number): void {
    const buffer = Buffer.alloc(4)
    buffer.writeInt32BE(value)
    this.#chunks.push(buffer)
  }

  string(value: string): void {
    const encoded = Buffer.from(value, 'utf8')
    this.int16(encoded.length)
    this.#chunks.push(encoded)
  }

  bytes(value: Uint8Array | null): void {
    if (value === null) {
      this.int32(-1)
      return
    }
    this.int32(value.length)
    this.#chunks.push(Buffer.from(value))
  }

  array<T>(items: readonly T[], writeItem: (item: T) => void): void {
    this.int32(items.length)
    for (const item of items) writeItem(item)
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks)
  }
}

class ByteReader {
  readonly #buffer: Buffer
  #offset = 0

  constructor(bytes: Uint8Array) {
    this.#buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  remaining(): number {
    return this.#buffer.length - this.#offset
  }

  int16(): number {
    this.#need(2)
    const value = this.#buffer.readInt16BE(this.#offset)
    this.#offset += 2
    return value
  }

  int32(): number {
    this.#need(4)
    const value = this.#buffer.readInt32BE(this.#offset)
    this.#offset += 4
    return value
  }

  string(): string {
    const length = this.int16()
    if (length < 0) throw malformed('negative string length')
    this.#need(length)
    const value = this.#buffer.toString('utf8', this.#offset, this.#offset + length)
    this.#offset += length
    return value
  }

  bytes(): Uint8Array | null {
    const length = this.int32()
    if (length < 0) return null
    this.#need(length)
    const value = Buffer.from(this.#buffer.subarray(this.#offset, this.#offset + length))
    this.#offset += length
    return value
  }

  array<T>(readItem: () => T): T[] {
    const count = this.int32()
    if (count < 0) return []
    if (count > this.remaining()) throw malformed('array count larger than the input')
    const out: T[] = []
    for (let index = 0; index < count; index++) out.push(readItem())
    return out
  }

  #need(length: number): void {
    if (this.remaining() < length) throw malformed('truncated')
  }
}

function malformed(reason: string): ClientError {
  return new ClientError(ClientErrorCode.InvalidArgument, `malformed consumer protocol bytes: ${reason}`, { domain: 'external', retriable: false })
}

// Internal: one round of Fetch requests (one per partition leader, concurrently) and the decoding
// of record batches into ConsumerRecords. No fetch sessions: every request is a full fetch.
// With read_committed, records of aborted transactions are dropped here, using the response's
// abortedTransactions list and the abort markers (control batches), which are never returned.
import type { RecordsBatch } from '@platformatic/kafka'
import { KafkaErrorCode } from './errors.ts'
import { callKeepingResponse } from './offsets.ts'
import type { ConsumerRecord, TopicPartition } from './types.ts'
import type { ClusterView, Wire } from './wire.ts'

const transactionalBit = 0x10
/** Shared by every record without headers (most of them): frozen, so no consumer can add to it. */
const noHeaders: ConsumerRecord['headers'] = Object.freeze([])
const controlBit = 0x20

export interface FetchLimits {
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  maxPartitionBytes: number
  isolationLevel: 0 | 1
}

export interface PartitionFetchResult extends TopicPartition {
  /** The offset this fetch asked for. */
  fetchOffset: bigint
  /** Records at or after the fetch offset, in offset order. */
  records: ConsumerRecord[]
  /** Offset after the last batch seen (including skipped control/aborted batches). */
  nextOffset: bigint
  errorCode: number
  highWatermark: bigint
}

interface FetchResponsePartition {
  partitionIndex: number
  errorCode: number
  highWatermark: bigint
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null
  records: RecordsBatch[] | null
}
interface FetchResponse {
  responses: { topicId: string; topic?: string; partitions: FetchResponsePartition[] }[]
}

/** Fetches every partition in `positions` from its leader once. */
export async function fetchOnce(wire: Wire, view: ClusterView, positions: ReadonlyMap<string, TopicPartition & { offset: bigint }>, limits: FetchLimits): Promise<PartitionFetchResult[]> {
  const byLeader = new Map<number, (TopicPartition & { offset: bigint })[]>()
  const out: PartitionFetchResult[] = []
  for (const position of positions.values()) {
    const leader = view.topics.get(position.topic)?.partitions[position.partition]?.leader
    if (leader === undefined || leader < 0) {
      out.push({ topic: position.topic, partition: position.partition, fetchOffset: position.offset, records: [], nextOffset: position.offset, errorCode: KafkaErrorCode.LeaderNotAvailable, highWatermark: -1n })
      continue
    }
    const list = byLeader.get(leader) ?? []
    byLeader.set(leader, list)
    list.push(position)
  }
  const perLeader = await Promise.all([...byLeader].map(([leader, list]) => fetchFromLeader(wire, view, leader, list, limits)))
  return out.concat(perLeader.flat())
}

async function fetchFromLeader(wire: Wire, view: ClusterView, leader: number, positions: (TopicPartition & { offset: bigint })[], limits: FetchLimits): Promise<PartitionFetchResult[]> {
  const topics = new Map<string, { partition: number; currentLeaderEpoch: number; fetchOffset: bigint; lastFetchedEpoch: number; partitionMaxBytes: number }[]>()
  for (const position of positions) {
    const id = view.topics.get(position.topic)!.id
    const list = topics.get(id) ?? []
    topics.set(id, list)
    list.push({ partition: position.partition, currentLeaderEpoch: -1, fetchOffset: position.offset, lastFetchedEpoch: -1, partitionMaxBytes: limits.maxPartitionBytes })
  }
  const nameById = new Map<string, string>()
  for (const [name, layout] of view.topics) nameById.set(layout.id, name)
  const requestTopics = [...topics].map(([topicId, partitions]) => ({ topicId, partitions }))
  const args = [limits.maxWaitMs, limits.minBytes, limits.maxBytes, limits.isolationLevel, 0, -1, requestTopics, [], '']
  const response = await callKeepingResponse<FetchResponse>(wire, 'Fetch', leader, args)
  const fetchOffsets = new Map(positions.map((position) => [`${position.topic}\u0000${position.partition}`, position.offset]))
  const out: PartitionFetchResult[] = []
  for (const topicResponse of response.responses) {
    const topic = nameById.get(topicResponse.topicId) ?? topicResponse.topic ?? topicResponse.topicId
    for (const partition of topicResponse.partitions) {
      const fetchOffset = fetchOffsets.get(`${topic}\u0000${partition.partitionIndex}`)
      if (fetchOffset === undefined) continue
      out.push(decodePartition(topic, partition, fetchOffset, limits.isolationLevel))
    }
  }
  return out
}

export function decodePartition(topic: string, response: FetchResponsePartition, fetchOffset: bigint, isolationLevel: 0 | 1): PartitionFetchResult {
  const result: PartitionFetchResult = { topic, partition: response.partitionIndex, fetchOffset, records: [], nextOffset: fetchOffset, errorCode: response.errorCode, highWatermark: response.highWatermark }
  if (response.errorCode !== 0 || response.records === null) return result
  const aborted = isolationLevel === 1 ? [...(response.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : []
  const abortedProducers = new Set<bigint>()
  for (const batch of response.records) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    while (aborted.length > 0 && aborted[0].firstOffset <= lastOffset) abortedProducers.add(aborted.shift()!.producerId)
    if (lastOffset >= result.nextOffset) result.nextOffset = lastOffset + 1n
    if ((batch.attributes & controlBit) !== 0) {
      abortedProducers.delete(batch.producerId)
      continue
    }
    if ((batch.attributes & transactionalBit) !== 0 && abortedProducers.has(batch.producerId)) continue
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta)
      if (offset < fetchOffset) continue
      result.records.push({
        topic,
        partition: response.partitionIndex,
        offset,
        timestamp: batch.firstTimestamp + record.timestampDelta,
        key: record.key,
        value: record.value,
        headers: record.headers.length === 0 ? noHeaders : record.headers.map(([key, value]) => ({ key: key === null ? '' : key.toString('utf8'), value })),
        leaderEpoch: batch.partitionLeaderEpoch,
      })
    }
  }
  return result
}

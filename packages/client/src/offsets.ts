// Internal: offset requests shared by consumer and admin — ListOffsets (to each partition's
// leader), OffsetFetch and OffsetCommit (to the group coordinator). Per-partition Kafka errors
// become KafkaProtocolError with topic and partition set.
import { KafkaProtocolError, responseOf, toClientError } from './errors.ts'
import type { TopicPartition, TopicPartitionOffset } from './types.ts'
import type { Wire } from './wire.ts'

/** ListOffsets timestamps with special meaning. */
export const OffsetSpec = {
  Latest: -1n,
  Earliest: -2n,
} as const

export interface ListedOffset extends TopicPartition {
  offset: bigint
  timestamp: bigint
  leaderEpoch: number
}

interface ListOffsetsResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number; timestamp: bigint; offset: bigint; leaderEpoch: number }[] }[]
}

/** Offsets per partition for a timestamp (ms) or OffsetSpec.Earliest / OffsetSpec.Latest. */
export async function listOffsets(wire: Wire, requests: readonly (TopicPartition & { timestamp: bigint })[], isolationLevel: 0 | 1): Promise<ListedOffset[]> {
  if (requests.length === 0) return []
  const view = await wire.metadata([...new Set(requests.map((request) => request.topic))])
  const byLeader = new Map<number, Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint }[]>>()
  for (const request of requests) {
    const layout = view.topics.get(request.topic)?.partitions[request.partition]
    if (layout === undefined) throw new KafkaProtocolError(3, { topic: request.topic, partition: request.partition, context: 'ListOffsets' })
    const topics = byLeader.get(layout.leader) ?? new Map()
    byLeader.set(layout.leader, topics)
    const partitions = topics.get(request.topic) ?? []
    topics.set(request.topic, partitions)
    partitions.push({ partitionIndex: request.partition, currentLeaderEpoch: -1, timestamp: request.timestamp })
  }
  const results = await Promise.all(
    [...byLeader].map(async ([leader, topics]) => {
      const body = [...topics].map(([name, partitions]) => ({ name, partitions }))
      const response = await callKeepingResponse<ListOffsetsResponse>(wire, 'ListOffsets', leader, [-1, isolationLevel, body])
      const out: ListedOffset[] = []
      for (const topic of response.topics) {
        for (const partition of topic.partitions) {
          if (partition.errorCode !== 0) throw new KafkaProtocolError(partition.errorCode, { topic: topic.name, partition: partition.partitionIndex, context: 'ListOffsets' })
          out.push({ topic: topic.name, partition: partition.partitionIndex, offset: partition.offset, timestamp: partition.timestamp, leaderEpoch: partition.leaderEpoch })
        }
      }
      return out
    }),
  )
  return results.flat()
}

interface OffsetFetchPartition {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}
interface OffsetFetchResponse {
  errorCode: number
  topics: { name: string; partitions: OffsetFetchPartition[] }[]
  groups?: { groupId: string; errorCode: number; topics: { name: string; partitions: OffsetFetchPartition[] }[] }[]
}

/**
 * Committed offsets of `groupId`. With `partitions` undefined, every partition the group has
 * committed. Partitions without a commit get offset -1.
 */
export async function fetchCommittedOffsets(wire: Wire, coordinatorId: number, groupId: string, partitions?: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
  const topics = partitions === undefined ? null : groupByTopic(partitions).map(([name, indexes]) => ({ name, partitionIndexes: indexes }))
  const response = await callKeepingResponse<OffsetFetchResponse>(wire, 'OffsetFetch', coordinatorId, [[{ groupId, topics }], false])
  const group = response.groups !== undefined && response.groups.length > 0 ? response.groups[0] : undefined
  const errorCode = group?.errorCode ?? response.errorCode
  if (errorCode !== 0) throw new KafkaProtocolError(errorCode, { context: `OffsetFetch ${groupId}` })
  const out: TopicPartitionOffset[] = []
  for (const topic of group?.topics ?? response.topics) {
    for (const partition of topic.partitions) {
      if (partition.errorCode !== 0) throw new KafkaProtocolError(partition.errorCode, { topic: topic.name, partition: partition.partitionIndex, context: 'OffsetFetch' })
      out.push({ topic: topic.name, partition: partition.partitionIndex, offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch, metadata: partition.metadata })
    }
  }
  return out
}

export interface GroupGeneration {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

interface OffsetCommitResponse {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

/** Commits `offsets` (the next offset to read, as Kafka stores them) for a generation. */
export async function commitOffsets(wire: Wire, coordinatorId: number, generation: GroupGeneration, offsets: readonly TopicPartitionOffset[]): Promise<void> {
  if (offsets.length === 0) return
  const topics = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }[]>()
  for (const offset of offsets) {
    const list = topics.get(offset.topic) ?? []
    topics.set(offset.topic, list)
    list.push({ partitionIndex: offset.partition, committedOffset: offset.offset, committedLeaderEpoch: offset.leaderEpoch ?? -1, committedMetadata: offset.metadata ?? null })
  }
  const body = [...topics].map(([name, partitions]) => ({ name, partitions }))
  const args = [generation.groupId, generation.generationId, generation.memberId, generation.groupInstanceId, body]
  const response = await callKeepingResponse<OffsetCommitResponse>(wire, 'OffsetCommit', coordinatorId, args)
  for (const topic of response.topics) {
    for (const partition of topic.partitions) {
      if (partition.errorCode !== 0) throw new KafkaProtocolError(partition.errorCode, { topic: topic.name, partition: partition.partitionIndex, context: 'OffsetCommit' })
    }
  }
}

/** Calls and, when the broker reported per-partition errors, returns the response anyway. */
export async function callKeepingResponse<T>(wire: Wire, apiName: string, nodeId: number, args: unknown[]): Promise<T> {
  try {
    return await wire.callRaw<T>(apiName, nodeId, args)
  } catch (error) {
    const response = responseOf<T>(error)
    if (response !== undefined) return response
    throw toClientError(error, apiName)
  }
}

export function groupByTopic(partitions: readonly TopicPartition[]): [string, number[]][] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? []
    byTopic.set(topic, list)
    if (!list.includes(partition)) list.push(partition)
  }
  return [...byTopic]
}

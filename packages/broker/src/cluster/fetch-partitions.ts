// The Fetch read loop: read every requested partition within the response budget; if fewer than
// minBytes came back (and nothing failed), wait for an append to one of the partitions or for
// maxWaitMs, then read again. Waiting goes through AppendWaiters, which bounds the number of
// parked fetches.
import { ErrorCode } from '@tributary/protocol'
import type { Clock } from '@tributary/protocol'
import type { Cluster } from './cluster.ts'
import type { AppendWaiters } from './append-waiters.ts'
import { partitionKey } from './append-waiters.ts'
import type { ReadResult } from './cluster-types.ts'

export interface FetchPartitionSpec {
  /** The topic name, or undefined when the request named an unknown topic id. */
  readonly topic: string | undefined
  readonly partition: number
  readonly fetchOffset: bigint
  readonly partitionMaxBytes: number
}

export interface FetchSpec {
  readonly partitions: readonly FetchPartitionSpec[]
  readonly maxWaitMs: number
  readonly minBytes: number
  /** Response-wide byte budget (the first non-empty partition may exceed it, KIP-74). */
  readonly maxBytes: number
  /** read_committed (isolation level 1): stop at the last stable offset. */
  readonly readCommitted: boolean
  /** Aborted when the connection closes. */
  readonly signal: AbortSignal | undefined
}

export interface FetchServices {
  readonly cluster: Cluster
  readonly appendWaiters: AppendWaiters
  readonly clock: Clock
}

/** Results in the order of `spec.partitions`. */
export async function fetchPartitions(spec: FetchSpec, services: FetchServices): Promise<ReadResult[]> {
  const deadlineMs = services.clock.nowMs() + Math.max(0, spec.maxWaitMs)
  const keys = spec.partitions.filter((partition) => partition.topic !== undefined).map((partition) => partitionKey(partition.topic!, partition.partition))
  for (;;) {
    const results = readOnce(spec, services.cluster)
    const bytes = results.reduce((sum, result) => sum + (result.records?.length ?? 0), 0)
    const failed = results.some((result) => result.errorCode !== ErrorCode.None)
    const remainingMs = deadlineMs - services.clock.nowMs()
    if (bytes >= spec.minBytes || failed || remainingMs <= 0) return results
    const outcome = await services.appendWaiters.wait(keys, remainingMs, spec.signal)
    if (outcome !== 'appended') return outcome === 'timeout' ? readOnce(spec, services.cluster) : results
  }
}

function readOnce(spec: FetchSpec, cluster: Cluster): ReadResult[] {
  let remainingBytes = spec.maxBytes
  let anyRecords = false
  return spec.partitions.map((partition) => {
    if (partition.topic === undefined) return unknownTopicId
    // Until some partition returned data, allow a whole first batch even past the budget.
    const budget = anyRecords ? Math.min(partition.partitionMaxBytes, remainingBytes) : Math.max(1, Math.min(partition.partitionMaxBytes, remainingBytes))
    const result = cluster.read(partition.topic, partition.partition, partition.fetchOffset, partition.partitionMaxBytes <= 0 ? 0 : budget, spec.readCommitted)
    const size = result.records?.length ?? 0
    if (size > 0) anyRecords = true
    remainingBytes -= size
    return result
  })
}

const unknownTopicId: ReadResult = { errorCode: ErrorCode.UnknownTopicId, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null }

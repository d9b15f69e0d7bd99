// The internal topics of the coordinators: `__consumer_offsets` (group metadata and committed
// offsets) and `__transaction_state` (transactional ids and producer id blocks). Both are created
// on start with cleanup.policy=compact — the log cleaner keeps the latest record per key in
// sealed segments, so 100 MiB segments (Kafka's offsets.topic.segment.bytes) let it run — and
// replayed in offset order to rebuild the coordinators' state.
import { ErrorCode, parseAttributes } from '@tributary/protocol'
import type { PartitionLog } from '@tributary/log'
import type { GroupCoordinator, TransactionCoordinator } from '../coordinator/index.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { coordinatorRecordsOf, loggedBatchOf, scanBatches } from './log-batches.ts'

/** Segment size of the internal topics (Kafka's offsets.topic.segment.bytes default). */
const internalTopicSegmentBytes = 100 * 1024 * 1024

/** Creates `name` with `partitionCount` partitions unless it exists; returns its actual partition count. */
export function ensureInternalTopic(cluster: Cluster, name: string, partitionCount: number): number {
  const existing = cluster.topic(name)
  if (existing !== undefined) return existing.partitionCount
  const result = cluster.createTopic({
    name, numPartitions: partitionCount, replicationFactor: -1, assignments: [], validateOnly: false,
    configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: String(internalTopicSegmentBytes) }],
  })
  if (result.errorCode !== ErrorCode.None || result.topic === undefined) {
    throw new Error(`cannot create internal topic ${name}: ${result.errorMessage ?? `error ${result.errorCode}`}`)
  }
  return result.topic.partitionCount
}

/** Replays one `__consumer_offsets` partition into the group coordinator; returns the records read. */
export function replayOffsetsPartition(log: PartitionLog, groups: GroupCoordinator): number {
  let records = 0
  for (const batch of scanBatches(log)) {
    const attributes = parseAttributes(batch.header.attributes)
    if (attributes.isControl) {
      const control = loggedBatchOf(batch).control
      if (control !== null) groups.replayTransactionMarker(Number(batch.header.producerId), control.isCommit)
      continue
    }
    const producerId = attributes.isTransactional ? Number(batch.header.producerId) : null
    for (const record of coordinatorRecordsOf(batch)) {
      groups.replay(record, producerId)
      records++
    }
  }
  return records
}

/** Replays one `__transaction_state` partition into the transaction coordinator; returns the records read. */
export function replayTransactionStatePartition(log: PartitionLog, transactions: TransactionCoordinator): number {
  let records = 0
  for (const batch of scanBatches(log)) {
    if (parseAttributes(batch.header.attributes).isControl) continue
    for (const record of coordinatorRecordsOf(batch)) {
      transactions.replay(record)
      records++
    }
  }
  return records
}

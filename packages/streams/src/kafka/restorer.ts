// Restores stores from their changelog partitions: reads each partition from its start to the
// end offset taken when the restore begins (the last stable offset under exactly-once, so
// aborted writes are skipped), applying records without logging them again. Progress is
// reported per store partition.
import { createAdmin, createConsumer, topicPartitionKey, type Admin, type Consumer, type TopicPartition } from '@tributary/client'
import type { StateStore } from '../state/state-store.ts'
import { applyChangelogRecord } from './task-stores.ts'
import type { RestoreProgress } from './metrics.ts'

export interface RestoreTarget {
  readonly store: StateStore
  readonly topic: string
  readonly partition: number
  /** Where to start (a standby's position); default: the partition's log start. */
  readonly startOffset?: bigint
}

export interface RestorerOptions {
  readonly bootstrapServers: string | readonly string[]
  readonly clientId: string
  readonly readCommitted: boolean
  readonly maxPollRecords: number
  onProgress(progress: RestoreProgress): void
}

export class ChangelogRestorer {
  private readonly options: RestorerOptions
  private readonly consumer: Consumer
  private readonly admin: Admin

  constructor(options: RestorerOptions) {
    this.options = options
    this.consumer = createConsumer({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-restore`, isolationLevel: options.readCommitted ? 'read_committed' : 'read_uncommitted', autoOffsetReset: 'earliest', maxPollRecords: options.maxPollRecords })
    this.admin = createAdmin({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-restore-admin` })
  }

  /** Replays every target's changelog partition into its store; resolves when all caught up. */
  async restore(targets: readonly RestoreTarget[]): Promise<void> {
    if (targets.length === 0) return
    const partitions: TopicPartition[] = targets.map(({ topic, partition }) => ({ topic, partition }))
    const isolation = this.options.readCommitted ? 'read_committed' : 'read_uncommitted'
    const ends = await this.admin.listOffsets(partitions.map((tp) => ({ ...tp, at: 'latest' as const })), isolation)
    const starts = await this.admin.listOffsets(partitions.map((tp) => ({ ...tp, at: 'earliest' as const })))
    const endOf = new Map(ends.map((listed) => [topicPartitionKey(listed), listed.offset]))
    const startOf = new Map(starts.map((listed) => [topicPartitionKey(listed), listed.offset]))
    const byPartition = new Map<string, { target: RestoreTarget; progress: RestoreProgress }>()
    for (const target of targets) {
      const key = topicPartitionKey(target)
      if (target.startOffset !== undefined && target.startOffset > startOf.get(key)!) startOf.set(key, target.startOffset)
      const total = Number(endOf.get(key)! - startOf.get(key)!)
      const progress: RestoreProgress = { store: target.store.name, topic: target.topic, partition: target.partition, restoredRecords: 0, totalRecords: total, done: total <= 0 }
      byPartition.set(key, { target, progress })
      this.options.onProgress(progress)
    }
    const pending = partitions.filter((tp) => !byPartition.get(topicPartitionKey(tp))!.progress.done)
    if (pending.length === 0) return
    this.consumer.assign(pending)
    for (const tp of pending) this.consumer.seek(tp, startOf.get(topicPartitionKey(tp))!)
    let remaining = pending
    while (remaining.length > 0) {
      const records = await this.consumer.poll({ timeoutMs: 200 })
      for (const record of records) {
        const entry = byPartition.get(topicPartitionKey(record))!
        if (record.offset >= endOf.get(topicPartitionKey(record))!) continue
        applyChangelogRecord(entry.target.store, record)
        entry.progress.restoredRecords++
      }
      const still: TopicPartition[] = []
      for (const tp of remaining) {
        const entry = byPartition.get(topicPartitionKey(tp))!
        if ((await this.consumer.position(tp)) >= endOf.get(topicPartitionKey(tp))!) {
          entry.progress.done = true
          this.options.onProgress(entry.progress)
        } else still.push(tp)
      }
      if (still.length < remaining.length) {
        this.consumer.pause(remaining.filter((tp) => !still.some((left) => left.topic === tp.topic && left.partition === tp.partition)))
      }
      remaining = still
    }
    this.consumer.assign([])
  }

  async close(): Promise<void> {
    await this.consumer.close()
    await this.admin.close()
  }
}

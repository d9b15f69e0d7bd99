// The ChangelogReader a TaskStateManager restores through: one manually assigned consumer
// (read_committed under exactly-once, so aborted writes are skipped) reading one changelog
// partition at a time, and an admin client for end offsets (the last stable offset under
// exactly-once). A read below the log start resets to it (autoOffsetReset 'earliest').
import { createAdmin, createConsumer, topicPartitionKey, type Admin, type Consumer } from '@tributary/client'
import type { ChangelogBatch, ChangelogReader } from '../state/changelog/restore.ts'
import type { TopicPartition } from '../state/changelog/checkpoint-file.ts'

export interface KafkaChangelogReaderOptions {
  readonly bootstrapServers: string | readonly string[]
  readonly clientId: string
  readonly readCommitted: boolean
  /** How long one read waits for records. Default 500. */
  readonly pollTimeoutMs?: number
}

export class KafkaChangelogReader implements ChangelogReader {
  private readonly consumer: Consumer
  private readonly admin: Admin
  private readonly readCommitted: boolean
  private readonly pollTimeoutMs: number
  /** The partition assigned and the offset its next poll returns from. */
  private current: { key: string; nextOffset: number } | null = null

  constructor(options: KafkaChangelogReaderOptions) {
    this.readCommitted = options.readCommitted
    this.pollTimeoutMs = options.pollTimeoutMs ?? 500
    const isolationLevel = options.readCommitted ? 'read_committed' : 'read_uncommitted'
    this.consumer = createConsumer({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-state-restore`, isolationLevel, autoOffsetReset: 'earliest', maxPollRecords: 10_000 })
    this.admin = createAdmin({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-state-restore-admin` })
  }

  async endOffset(topicPartition: TopicPartition): Promise<number> {
    const [listed] = await this.admin.listOffsets([{ ...topicPartition, at: 'latest' as const }], this.readCommitted ? 'read_committed' : 'read_uncommitted')
    return Number(listed.offset)
  }

  async read(topicPartition: TopicPartition, fromOffset: number, maxRecords: number): Promise<ChangelogBatch> {
    const key = topicPartitionKey(topicPartition)
    if (this.current === null || this.current.key !== key) {
      this.consumer.assign([topicPartition])
      this.consumer.seek(topicPartition, BigInt(fromOffset))
    } else if (this.current.nextOffset !== fromOffset) {
      this.consumer.seek(topicPartition, BigInt(fromOffset))
    }
    const polled = await this.consumer.poll({ timeoutMs: this.pollTimeoutMs, maxRecords })
    const records = polled.map((record) => ({ offset: Number(record.offset), key: record.key, value: record.value, timestamp: Number(record.timestamp) }))
    const nextOffset = Number(await this.consumer.position(topicPartition))
    this.current = { key, nextOffset }
    return { records, nextOffset }
  }

  async close(): Promise<void> {
    this.current = null
    await this.consumer.close()
    await this.admin.close()
  }
}

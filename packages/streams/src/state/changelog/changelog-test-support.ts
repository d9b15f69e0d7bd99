// Test support (not exported): a ChangelogCollector that appends to in-memory partitions with
// offsets, and a ChangelogReader over them, so restore logic is tested without a broker.
import type { ChangelogCollector, ChangelogRecord } from './changelog-record.ts'
import type { TopicPartition } from './checkpoint-file.ts'
import type { ChangelogBatch, ChangelogReader } from './restore.ts'

export interface SentRecord extends ChangelogRecord {
  readonly topic: string
  readonly partition: number
}

/** An in-memory log: offsets increase by one per record, plus any gap added with `skipOffsets`. */
export class InMemoryChangelog implements ChangelogCollector, ChangelogReader {
  readonly records: SentRecord[] = []
  private readonly nextOffsets = new Map<string, number>()
  reads = 0

  send(topic: string, partition: number, key: Uint8Array, value: Uint8Array | null, timestampMs: number): void {
    const id = `${topic} ${partition}`
    const offset = this.nextOffsets.get(id) ?? 0
    this.nextOffsets.set(id, offset + 1)
    this.records.push({ topic, partition, offset, key, value, timestamp: timestampMs })
  }

  /** Leaves a gap (a transaction marker or compacted records). */
  skipOffsets(topicPartition: TopicPartition, count: number): void {
    const id = `${topicPartition.topic} ${topicPartition.partition}`
    this.nextOffsets.set(id, (this.nextOffsets.get(id) ?? 0) + count)
  }

  async endOffset(topicPartition: TopicPartition): Promise<number> {
    return this.nextOffsets.get(`${topicPartition.topic} ${topicPartition.partition}`) ?? 0
  }

  async read(topicPartition: TopicPartition, fromOffset: number, maxRecords: number): Promise<ChangelogBatch> {
    this.reads++
    const records = this.records.filter((record) => record.topic === topicPartition.topic && record.partition === topicPartition.partition && record.offset >= fromOffset).slice(0, maxRecords)
    const end = await this.endOffset(topicPartition)
    const nextOffset = records.length === maxRecords ? records[records.length - 1].offset + 1 : end
    return { records, nextOffset }
  }
}

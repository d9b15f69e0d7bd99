// Restores a store from its changelog partition in bounded batches, from the checkpointed
// offset + 1 (or the start of the log) up to the end offset taken when the restore begins.
// The runtime implements ChangelogReader over a consumer (read_committed under exactly-once).
import { requireArgument } from '../../errors.ts'
import type { TopicPartition } from './checkpoint-file.ts'
import type { ChangelogRecord, ChangelogRestorable } from './changelog-record.ts'

/** One read of a changelog partition. */
export interface ChangelogBatch {
  /** Records in ascending offset order, at most `maxRecords`. */
  readonly records: readonly ChangelogRecord[]
  /** The offset to read next (past compacted gaps and transaction markers). */
  readonly nextOffset: number
}

/** What restore needs from Kafka; the runtime implements it over @tributary/client. */
export interface ChangelogReader {
  /** The offset after the last readable record (high watermark; last stable offset under read_committed). */
  endOffset(topicPartition: TopicPartition): Promise<number>
  /**
   * Records from `fromOffset` on. When `fromOffset` is below the log start offset (the log was
   * truncated or compacted), reading starts at the log start offset.
   */
  read(topicPartition: TopicPartition, fromOffset: number, maxRecords: number): Promise<ChangelogBatch>
}

export interface StoreRestoreProgress {
  readonly storeName: string
  readonly topicPartition: TopicPartition
  /** Records applied so far. */
  readonly restoredRecords: number
  /** Offsets to cover in total (an upper bound on records: compaction leaves gaps). */
  readonly totalRecords: number
  readonly startOffset: number
  readonly endOffset: number
  /** The next offset to read. */
  readonly position: number
}

/** A restore that cannot go on (the changelog stopped yielding records before its end offset). */
export class StateRestoreError extends Error {
  readonly code = 'STREAMS_RESTORE_FAILED'
  readonly retriable = true

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause })
    this.name = 'StateRestoreError'
  }
}

export interface RestoreOptions {
  readonly topicPartition: TopicPartition
  /** The checkpointed offset (last record the store reflects), or null to restore from the start. */
  readonly checkpointOffset: number | null
  /** Records per read and per store write batch. Default 1000. */
  readonly maxRecordsPerBatch?: number
  /** Consecutive reads returning nothing before the restore fails (retriable). Default 20. */
  readonly maxEmptyReads?: number
  readonly onProgress?: (progress: StoreRestoreProgress) => void
}

export interface RestoreResult {
  readonly restoredRecords: number
  /** Offset of the last record applied (or the checkpoint offset if none): the next checkpoint value. */
  readonly lastOffset: number | null
  readonly endOffset: number
}

export async function restoreStore(store: ChangelogRestorable, reader: ChangelogReader, options: RestoreOptions): Promise<RestoreResult> {
  const maxRecords = options.maxRecordsPerBatch ?? 1000
  const maxEmptyReads = options.maxEmptyReads ?? 20
  requireArgument(Number.isSafeInteger(maxRecords) && maxRecords > 0, `maxRecordsPerBatch must be a positive integer, got ${maxRecords}`)
  const { topicPartition } = options
  const startOffset = options.checkpointOffset === null ? 0 : options.checkpointOffset + 1
  const endOffset = await reader.endOffset(topicPartition)
  const totalRecords = Math.max(0, endOffset - startOffset)
  let position = startOffset
  let restoredRecords = 0
  let lastOffset = options.checkpointOffset
  let emptyReads = 0
  const report = () => options.onProgress?.({ storeName: store.name, topicPartition, restoredRecords, totalRecords, startOffset, endOffset, position })
  report()
  while (position < endOffset) {
    const batch = await reader.read(topicPartition, position, maxRecords)
    const records = batch.records.filter((record) => record.offset >= position && record.offset < endOffset)
    if (records.length > maxRecords) throw new StateRestoreError(`changelog reader returned ${records.length} records, more than maxRecords ${maxRecords}`)
    if (records.length > 0) {
      store.restoreBatch(records)
      restoredRecords += records.length
      lastOffset = records[records.length - 1].offset
    }
    const next = Math.max(batch.nextOffset, lastOffset === null ? position : lastOffset + 1)
    if (records.length === 0 && next <= position) {
      if (++emptyReads >= maxEmptyReads) {
        throw new StateRestoreError(`restore of store '${store.name}' from ${topicPartition.topic}-${topicPartition.partition} made no progress at offset ${position} (end ${endOffset})`)
      }
      continue
    }
    emptyReads = 0
    position = next
    report()
  }
  store.flush()
  return { restoredRecords, lastOffset, endOffset }
}

/** A one-line progress bar for the CLI: `[#####-----]  50% 500/1000 store (topic-0)`. */
export function formatRestoreProgress(progress: StoreRestoreProgress, widthChars = 30): string {
  const span = progress.endOffset - progress.startOffset
  const fraction = span <= 0 ? 1 : Math.min(1, Math.max(0, (progress.position - progress.startOffset) / span))
  const filled = Math.round(fraction * widthChars)
  const percent = String(Math.floor(fraction * 100)).padStart(3)
  return `[${'#'.repeat(filled)}${'-'.repeat(widthChars - filled)}] ${percent}% ${progress.restoredRecords}/${progress.totalRecords} ${progress.storeName} (${progress.topicPartition.topic}-${progress.topicPartition.partition})`
}

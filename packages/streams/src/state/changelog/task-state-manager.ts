// The local-state protocol of one task (the runtime calls these in order):
//
// 1. `begin()` — before the task's stores are opened. Reads `<taskDir>/.checkpoint`. Under
//    exactly-once, no checkpoint means the last run did not close cleanly and the stores may
//    hold writes of an aborted transaction: the stores are wiped and restored from scratch.
//    Under exactly-once the checkpoint is then deleted, so a crash while processing is detected
//    on the next start.
// 2. `restore(...)` — after the stores are built and initialized, before processing: each
//    logged store is restored from its checkpointed offset + 1 (or the log start) to the end.
// 3. `changelogRecordAcknowledged(tp, offset)` — for every changelog record the producer
//    acknowledged (offset from the produce response).
// 4. `committed()` — after a successful commit (stores flushed by `StreamTask.commit()`, then
//    producer flushed / transaction committed). At-least-once: writes the checkpoint.
//    Exactly-once: writes nothing.
// 5. `closedCleanly()` — after the final commit of a clean close, before closing the stores'
//    directory: writes the checkpoint in both modes. After a dirty close call nothing.
import type { TaskStateDirectory } from '../persistent/task-state-directory.ts'
import type { CheckpointEntry, TopicPartition } from './checkpoint-file.ts'
import { topicPartitionKey } from './checkpoint-file.ts'
import type { ChangelogRestorable } from './changelog-record.ts'
import type { ChangelogReader, StoreRestoreProgress, RestoreResult } from './restore.ts'
import { restoreStore } from './restore.ts'
import { assert } from '../../errors.ts'

export interface TaskStateManagerOptions {
  readonly directory: TaskStateDirectory
  readonly exactlyOnce: boolean
}

/** A logged store of the task and its changelog partition. */
export interface RestorableStoreRegistration {
  readonly store: ChangelogRestorable
  readonly topicPartition: TopicPartition
}

export class TaskStateManager {
  readonly directory: TaskStateDirectory
  readonly exactlyOnce: boolean
  /** Last changelog offset per topic-partition that the stores reflect. */
  private readonly offsets = new Map<string, CheckpointEntry>()
  private begun = false
  private wiped = false

  constructor(options: TaskStateManagerOptions) {
    this.directory = options.directory
    this.exactlyOnce = options.exactlyOnce
  }

  /** Step 1. Returns true when the stores were wiped (restore from scratch follows). */
  begin(): boolean {
    assert(!this.begun, 'TaskStateManager.begin is called once')
    this.begun = true
    const checkpoint = this.directory.checkpoint.read()
    if (checkpoint === null && this.exactlyOnce) {
      this.directory.wipeStores()
      this.wiped = true
    }
    if (checkpoint !== null) for (const [key, entry] of checkpoint) this.offsets.set(key, entry)
    if (this.exactlyOnce && checkpoint !== null) this.directory.checkpoint.delete()
    return this.wiped
  }

  /** The checkpointed offset of one changelog partition, or null (restore from the start). */
  checkpointOffset(topicPartition: TopicPartition): number | null {
    return this.offsets.get(topicPartitionKey(topicPartition))?.offset ?? null
  }

  /** Step 2: restores each store, one after another. */
  async restore(stores: readonly RestorableStoreRegistration[], reader: ChangelogReader, options: { maxRecordsPerBatch?: number; onProgress?: (progress: StoreRestoreProgress) => void } = {}): Promise<RestoreResult[]> {
    assert(this.begun, 'TaskStateManager.begin runs before restore')
    const results: RestoreResult[] = []
    for (const { store, topicPartition } of stores) {
      const result = await restoreStore(store, reader, { ...options, topicPartition, checkpointOffset: this.checkpointOffset(topicPartition) })
      if (result.lastOffset !== null) this.changelogRecordAcknowledged(topicPartition, result.lastOffset)
      results.push(result)
    }
    return results
  }

  /** Step 3: the producer acknowledged a changelog record at `offset`. */
  changelogRecordAcknowledged(topicPartition: TopicPartition, offset: number): void {
    const key = topicPartitionKey(topicPartition)
    const previous = this.offsets.get(key)
    if (previous === undefined || previous.offset < offset) this.offsets.set(key, { ...topicPartition, offset })
  }

  /** Step 4: after a successful commit. */
  committed(): void {
    if (!this.exactlyOnce) this.writeCheckpoint()
  }

  /** Step 5: after the final commit of a clean close. */
  closedCleanly(): void {
    this.writeCheckpoint()
  }

  /** The offsets a checkpoint would hold now. */
  checkpointEntries(): CheckpointEntry[] {
    return [...this.offsets.values()]
  }

  private writeCheckpoint(): void {
    this.directory.flush()
    this.directory.checkpoint.write(this.offsets.values())
  }
}

// The on-disk home of one task's state: `<stateDir>/<applicationId>/<taskId>/`. It holds one
// LMDB environment (`lmdb/`, one named database per store; one environment per task keeps the
// file handles and memory maps per task, not per store) and the task's `.checkpoint` file.
// The runtime opens the directory when it creates a task, builds the task's persistent stores
// from it, and closes it after the task's stores are closed.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { open, type RootDatabase } from 'lmdb'
import { StreamsError, StreamsErrorCode, requireArgument } from '../../errors.ts'
import { CheckpointFile } from '../changelog/checkpoint-file.ts'
import type { StateStoreContext } from '../state-store.ts'
import { WriteBufferedDatabase, defaultWriteBufferLimits, type BytesDatabase, type WriteBufferLimits } from './write-buffer.ts'

export interface TaskStateDirectoryOptions {
  /** Root of all state (Kafka's `state.dir`). */
  readonly stateDir: string
  readonly applicationId: string
  /** `<subtopologyId>_<partition>`. */
  readonly taskId: string
  /** Maximum named databases (stores) in the task's environment. Default 64. */
  readonly maxStores?: number
  /** Write buffer limits of each store. */
  readonly writeBuffer?: Partial<WriteBufferLimits>
}

const storeNamePattern = /^[A-Za-z0-9._-]+$/

export class TaskStateDirectory {
  readonly applicationId: string
  readonly taskId: string
  /** `<stateDir>/<applicationId>/<taskId>`. */
  readonly path: string
  readonly checkpoint: CheckpointFile
  private readonly maxStores: number
  private readonly limits: WriteBufferLimits
  private environment: RootDatabase<Buffer, Buffer> | null = null
  private readonly databases = new Map<string, WriteBufferedDatabase>()

  constructor(options: TaskStateDirectoryOptions) {
    requireArgument(storeNamePattern.test(options.applicationId), `application id '${options.applicationId}' is not a legal directory name`)
    requireArgument(storeNamePattern.test(options.taskId), `task id '${options.taskId}' is not a legal directory name`)
    this.applicationId = options.applicationId
    this.taskId = options.taskId
    this.path = join(options.stateDir, options.applicationId, options.taskId)
    this.checkpoint = new CheckpointFile(join(this.path, '.checkpoint'))
    this.maxStores = options.maxStores ?? 64
    this.limits = { ...defaultWriteBufferLimits, ...options.writeBuffer }
    mkdirSync(this.path, { recursive: true })
  }

  /** The write-buffered named database of one store (created on first use). */
  database(storeName: string): WriteBufferedDatabase {
    requireArgument(storeNamePattern.test(storeName), `store name '${storeName}' may only hold letters, digits, '.', '_' and '-'`)
    let database = this.databases.get(storeName)
    if (database === undefined) {
      const named: BytesDatabase = this.open().openDB<Buffer, Buffer>({ name: storeName, encoding: 'binary', keyEncoding: 'binary' })
      database = new WriteBufferedDatabase(named, this.limits)
      this.databases.set(storeName, database)
    }
    return database
  }

  /** Deletes every entry of one store (restore from scratch follows). */
  wipeStore(storeName: string): void {
    this.database(storeName).clear()
  }

  /** Commits every store's pending writes durably. */
  flush(): void {
    for (const database of this.databases.values()) database.commit()
  }

  isOpen(): boolean {
    return this.environment !== null
  }

  /** Commits pending writes and closes the environment; stores of this directory stop working. */
  async close(): Promise<void> {
    if (this.environment === null) return
    this.flush()
    const environment = this.environment
    this.environment = null
    for (const database of this.databases.values()) database.markClosed()
    this.databases.clear()
    await environment.close()
  }

  /**
   * Deletes all stores of the task (the LMDB environment) before any store is opened; the
   * checkpoint file stays. Under exactly-once a missing checkpoint means the stores may hold
   * uncommitted writes, so the runtime wipes them and restores from the changelog start.
   */
  wipeStores(): void {
    if (this.environment !== null) throw new StreamsError(StreamsErrorCode.InvalidArgument, `task ${this.taskId}: wipe the state directory before opening its stores`)
    rmSync(join(this.path, 'lmdb'), { recursive: true, force: true })
  }

  /** Closes the environment and removes the whole task directory (state and checkpoint). */
  async destroy(): Promise<void> {
    await this.close()
    rmSync(this.path, { recursive: true, force: true })
  }

  private open(): RootDatabase<Buffer, Buffer> {
    if (this.environment === null) {
      try {
        this.environment = open<Buffer, Buffer>({ path: join(this.path, 'lmdb'), maxDbs: this.maxStores, encoding: 'binary', keyEncoding: 'binary' })
      } catch (error) {
        throw new StreamsError(StreamsErrorCode.StoreClosed, `task ${this.taskId}: cannot open state directory ${this.path}: ${String(error)}`, { cause: error, retriable: true })
      }
    }
    return this.environment
  }
}

/**
 * A store's task directory, or how to find it from the context `init` receives (store builders
 * build stores before the task is known).
 */
export type TaskStateDirectorySource = TaskStateDirectory | ((context: StateStoreContext) => TaskStateDirectory)

/** Resolves a store's directory at `init` and checks it belongs to the task. */
export function resolveTaskStateDirectory(source: TaskStateDirectorySource, context: StateStoreContext, storeName: string): TaskStateDirectory {
  const directory = typeof source === 'function' ? source(context) : source
  requireArgument(context.taskId === directory.taskId && context.applicationId === directory.applicationId, `store '${storeName}' of task ${directory.applicationId}/${directory.taskId} initialized for task ${context.applicationId}/${context.taskId}`)
  return directory
}

// The active tasks of one instance: creates a StreamTask per assigned task id over a runtime
// view of the topology whose logged stores write their changelogs, routes input records to
// them, tracks the offsets to commit, and collects their output for the producer. With a
// stateDir, each task's stores live in its TaskStateDirectory and a TaskStateManager runs the
// local-state protocol (begin at create, acknowledged changelog offsets, checkpoints).
import type { ProducerRecord, RecordMetadata, TopicPartition } from '@tributary/client'
import { topicPartitionKey } from '@tributary/client'
import { TaskStateDirectory } from '../state/persistent/task-state-directory.ts'
import { TaskStateManager, type RestorableStoreRegistration } from '../state/changelog/task-state-manager.ts'
import type { Topology } from '../topology/topology.ts'
import type { StateStore, StoreBuilder } from '../state/state-store.ts'
import type { Headers, SerializedRecord } from '../runtime/record.ts'
import type { RuntimeConfig } from '../runtime/runtime-config.ts'
import { StreamTask } from '../runtime/stream-task.ts'
import { isChangelogRestorable, taskStoreBuilders } from './task-stores.ts'
import type { RestoreTarget } from './restorer.ts'
import type { TopicPlan } from './topic-plan.ts'
import { formatTaskId, parseTaskId } from './task-id.ts'
import { threadCacheFor, type ThreadCache } from '../state/caching/thread-cache.ts'

export interface ActiveTask {
  readonly id: string
  readonly task: StreamTask
  readonly partitions: readonly TopicPartition[]
  /** Next offset to read per input partition, once a record was processed since the last commit. */
  readonly pendingOffsets: Map<string, TopicPartitionOffsetLike>
  state: 'restoring' | 'running'
  /** The task's local-state protocol, when its stores are persistent. */
  readonly stateManager?: TaskStateManager
}

/** Where tasks keep persistent state; absent: in-memory stores. */
export interface TaskPersistence {
  readonly stateDir: string
  readonly exactlyOnce: boolean
  /** Standby tasks keep in-memory stores that read the persistent stores' changelog format. */
  readonly standby: boolean
}

interface TopicPartitionOffsetLike {
  topic: string
  partition: number
  offset: bigint
}

export class ActiveTasks {
  readonly tasks = new Map<string, ActiveTask>()
  /** Serialized output waiting for the producer (sink records and changelog records). */
  readonly output: ProducerRecord[]
  private readonly byPartition = new Map<string, ActiveTask>()
  private readonly runtimeTopology: Topology
  private readonly config: RuntimeConfig
  private readonly plan: TopicPlan

  /** `output` is shared when standby tasks, built here, may later be promoted to active. */
  private readonly globalStores: ReadonlyMap<string, StateStore>
  private readonly persistence: TaskPersistence | undefined
  /** Directories of tasks being created or open, by task id. */
  private readonly directories = new Map<string, TaskStateDirectory>()
  /** The state manager of each changelog partition an open persistent task writes. */
  private readonly changelogOwners = new Map<string, TaskStateManager>()
  private readonly closing = new Map<string, Promise<void>>()
  /** Next offsets processed since the last prepareCommit, per task (numbers; see process). */
  private readonly nextOffsets = new Map<ActiveTask, Map<string, { topic: string; partition: number; nextOffset: number }>>()
  /** The partition of the last processed record, its task and next offset; reset whenever routing changes (add, remove) or the offsets are settled. */
  private lastPending: { topic: string; partition: number; active: ActiveTask; next: { nextOffset: number } } | null = null
  /**
   * The record cache of this instance's thread (`cacheMaxBytes` of the runtime config, which
   * KafkaStreams resolves to 10 MiB by default; absent here: no cache), keyed by the runtime
   * config so the standby tasks' ActiveTasks shares it: a promoted standby keeps its stores.
   */
  readonly cache: ThreadCache | null

  constructor(topology: Topology, plan: TopicPlan, config: RuntimeConfig, globalStores: ReadonlyMap<string, StateStore>, output: ProducerRecord[] = [], persistence?: TaskPersistence) {
    this.output = output
    this.globalStores = globalStores
    this.config = config
    this.plan = plan
    this.persistence = persistence
    this.cache = threadCacheFor(config, config.cacheMaxBytes ?? 0)
    const mode = persistence === undefined ? 'in-memory' : persistence.standby ? 'logged-in-memory' : 'persistent'
    const directoryFor = (taskId: string): TaskStateDirectory => {
      const directory = this.directories.get(taskId)
      if (directory === undefined) throw new Error(`assertion failed: no state directory for task ${taskId}`)
      return directory
    }
    const stores: Map<string, StoreBuilder> = taskStoreBuilders(topology.stores(), { mode, output: this.output, systemTimeMs: config.systemTimeMs, directoryFor, defaultKeySerde: config.defaultKeySerde, defaultValueSerde: config.defaultValueSerde })
    // A view of the user's topology whose stores log their writes; the topology itself is untouched.
    this.runtimeTopology = Object.create(topology, { stores: { value: () => stores } }) as Topology
  }

  /**
   * Creates the task; the caller restores `restoreTargets` (in-memory stores) and, through
   * the task's state manager, `stateRestore` (persistent stores) before feeding it records.
   * A persistent task whose previous incarnation is still closing must be awaited first (`closed`).
   */
  create(taskId: string): { task: ActiveTask; restoreTargets: RestoreTarget[]; stateRestore: RestorableStoreRegistration[] } {
    const { subtopology: subtopologyId, partition } = parseTaskId(taskId)
    const sub = this.plan.subtopologies.find((candidate) => candidate.subtopology.id === subtopologyId)
    if (sub === undefined) throw new Error(`assertion failed: unknown sub-topology in task ${taskId}`)
    const collector = {
      send: (topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers) => {
        this.output.push({ topic, key, value, timestamp, headers: headers as ProducerRecord['headers'] })
      },
    }
    const id = formatTaskId({ subtopology: subtopologyId, partition })
    const stateManager = this.beginState(id)
    let task: StreamTask
    try {
      task = new StreamTask({ topology: this.runtimeTopology, subtopology: sub.subtopology, partition, config: this.config, collector, globalStores: this.globalStores, cache: this.cache })
    } catch (error) {
      const directory = this.directories.get(id)
      this.directories.delete(id)
      if (directory !== undefined) void directory.close().catch(() => undefined)
      throw error
    }
    const partitions = sub.sourceTopics.filter((topic) => (this.plan.topicPartitions.get(topic) ?? 0) > partition).map((topic) => ({ topic, partition }))
    const active: ActiveTask = { id, task, partitions, pendingOffsets: new Map(), state: 'restoring', stateManager }
    this.add(active)
    const restoreTargets: RestoreTarget[] = []
    const stateRestore: RestorableStoreRegistration[] = []
    for (const registration of task.storeRegistrations()) {
      if (registration.changelogTopic === null) continue
      const topicPartition = { topic: registration.changelogTopic, partition }
      if (stateManager !== undefined && isChangelogRestorable(registration.store)) {
        stateRestore.push({ store: registration.store, topicPartition })
        this.changelogOwners.set(topicPartitionKey(topicPartition), stateManager)
      } else restoreTargets.push({ store: registration.store, ...topicPartition })
    }
    return { task: active, restoreTargets, stateRestore }
  }

  /** Opens a persistent task's directory and runs `begin()` before its stores open. */
  private beginState(taskId: string): TaskStateManager | undefined {
    if (this.persistence === undefined || this.persistence.standby) return undefined
    if (this.closing.has(taskId)) throw new Error(`assertion failed: task ${taskId} created while its previous incarnation is closing`)
    const directory = new TaskStateDirectory({ stateDir: this.persistence.stateDir, applicationId: this.config.applicationId, taskId })
    const manager = new TaskStateManager({ directory, exactlyOnce: this.persistence.exactlyOnce })
    manager.begin()
    this.directories.set(taskId, directory)
    return manager
  }

  /** Resolves once the previous incarnation of `taskId` released its state directory. */
  async closed(taskId: string): Promise<void> {
    await this.closing.get(taskId)
  }

  /** Resolves once every closing task released its state directory. */
  async allClosed(): Promise<void> {
    await Promise.all(this.closing.values())
  }

  /**
   * Closes a task's processors and stores. `clean`: its last commit succeeded, so persistent
   * state is checkpointed (closedCleanly); else no checkpoint is written (exactly-once then
   * wipes and restores the stores on the next start).
   */
  close(active: ActiveTask, clean: boolean): void {
    const manager = active.stateManager
    if (manager === undefined) {
      active.task.close()
      return
    }
    try {
      if (clean) manager.closedCleanly()
    } finally {
      active.task.close()
      for (const [key, owner] of this.changelogOwners) if (owner === manager) this.changelogOwners.delete(key)
      if (this.directories.get(active.id) === manager.directory) this.directories.delete(active.id)
      const closing = manager.directory.close().finally(() => {
        if (this.closing.get(active.id) === closing) this.closing.delete(active.id)
      })
      this.closing.set(active.id, closing)
    }
  }

  /** Records the offsets the producer acknowledged for changelog records of persistent tasks. */
  acknowledge(metadata: readonly RecordMetadata[]): void {
    if (this.changelogOwners.size === 0) return
    for (let index = 0; index < metadata.length; index++) {
      const acknowledged = metadata[index]
      if (acknowledged.offset < 0n) continue
      const owner = this.changelogOwners.get(topicPartitionKey(acknowledged))
      if (owner !== undefined) owner.changelogRecordAcknowledged({ topic: acknowledged.topic, partition: acknowledged.partition }, Number(acknowledged.offset))
    }
  }

  /** After a successful commit: at-least-once tasks write their checkpoints. */
  committed(): void {
    for (const active of this.tasks.values()) active.stateManager?.committed()
  }

  add(task: ActiveTask): void {
    this.lastPending = null
    this.tasks.set(task.id, task)
    for (const tp of task.partitions) this.byPartition.set(topicPartitionKey(tp), task)
  }

  /** Removes a task from routing without closing it (suspension on revocation). */
  remove(taskId: string): ActiveTask | undefined {
    const task = this.tasks.get(taskId)
    if (task === undefined) return undefined
    this.settleOffsets(task)
    this.lastPending = null
    this.tasks.delete(taskId)
    for (const tp of task.partitions) this.byPartition.delete(topicPartitionKey(tp))
    return task
  }

  taskFor(tp: TopicPartition): ActiveTask | undefined {
    return this.byPartition.get(topicPartitionKey(tp))
  }

  /**
   * Processes one record in its task; returns false when no task owns its partition. Runs for
   * every input record: a poll returns runs of one partition, so the last partition's task and
   * pending offset are remembered, and the offset stays a number until prepareCommit.
   */
  process(record: SerializedRecord): boolean {
    let pending = this.lastPending
    if (pending === null || pending.topic !== record.topic || pending.partition !== record.partition) {
      const key = topicPartitionKey(record)
      const active = this.byPartition.get(key)
      if (active === undefined) return false
      let offsets = this.nextOffsets.get(active)
      if (offsets === undefined) this.nextOffsets.set(active, (offsets = new Map()))
      let next = offsets.get(key)
      if (next === undefined) offsets.set(key, (next = { topic: record.topic, partition: record.partition, nextOffset: record.offset + 1 }))
      pending = { topic: record.topic, partition: record.partition, active, next }
      this.lastPending = pending
    }
    const active = pending.active
    active.task.process(record)
    active.task.punctuateStreamTime()
    pending.next.nextOffset = record.offset + 1
    return true
  }

  /** Moves the numeric next offsets of `active` into its pendingOffsets (bigint, as committed). */
  private settleOffsets(active: ActiveTask): void {
    const offsets = this.nextOffsets.get(active)
    if (offsets === undefined) return
    for (const [key, next] of offsets) active.pendingOffsets.set(key, { topic: next.topic, partition: next.partition, offset: BigInt(next.nextOffset) })
    this.nextOffsets.delete(active)
    if (this.lastPending?.active === active) this.lastPending = null
  }

  punctuateWallClock(): void {
    for (const active of this.tasks.values()) if (active.state === 'running') active.task.punctuateWallClockTime()
  }

  /** Flushes every task's stores and returns (and forgets) the offsets to commit. */
  prepareCommit(): TopicPartitionOffsetLike[] {
    const offsets: TopicPartitionOffsetLike[] = []
    for (const active of this.tasks.values()) {
      active.task.commit()
      this.settleOffsets(active)
      offsets.push(...active.pendingOffsets.values())
    }
    return offsets
  }

  clearPendingOffsets(): void {
    for (const active of this.tasks.values()) active.pendingOffsets.clear()
  }

  droppedRecords(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const active of this.tasks.values()) for (const [reason, count] of active.task.droppedRecords) out[reason] = (out[reason] ?? 0) + count
    return out
  }
}

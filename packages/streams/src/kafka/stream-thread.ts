// One processing loop per instance: a group consumer (with the streams assignor) feeding the
// active tasks, a producer (transactional under exactly_once_v2) writing their output and
// changelogs, and commits every commitIntervalMs. At-least-once commits = flush stores, wait
// for every send's acknowledgement, commit input offsets. Exactly-once commits = the same
// inside one transaction with sendOffsetsToTransaction; on a failed or fenced commit the
// transaction is aborted, tasks are rebuilt from their changelogs (read_committed) and inputs
// rewind to the committed offsets, so uncommitted work is replayed.
// With a stateDir, active tasks keep persistent stores: each task restores from its checkpoint
// (TaskStateManager), checkpoints after at-least-once commits and on a clean close.
import { createAdmin, createConsumer, createProducer, topicPartitionKey, type Admin, type Consumer, type ConsumerRecord, type Producer, type ProducerRecord, type TopicPartition, type TopicPartitionOffset } from '@tributary/client'
import type { Topology } from '../topology/topology.ts'
import type { RuntimeConfig } from '../runtime/runtime-config.ts'
import { ActiveTasks, type ActiveTask, type TaskPersistence } from './active-tasks.ts'
import { KafkaChangelogReader } from './changelog-reader.ts'
import { streamsAssignor, type AssignmentInfo, type SubscriptionInfo } from './assignor.ts'
import type { ResolvedConfig } from './config.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { recordLatency, type KafkaStreamsMetrics } from './metrics.ts'
import { ChangelogRestorer, type RestoreTarget } from './restorer.ts'
import type { RestorableStoreRegistration } from '../state/changelog/task-state-manager.ts'
import { StandbyTasks } from './standby-tasks.ts'
import { GlobalStores } from './global-stores.ts'
import { tasksOfPlan, type TopicPlan } from './topic-plan.ts'

export interface StreamThreadHooks {
  onRebalanceStart(): void
  onRunning(): void
  onAssignment(info: AssignmentInfo): void
}

export class StreamThread {
  readonly tasks: ActiveTasks
  private readonly config: ResolvedConfig
  private readonly plan: TopicPlan
  private readonly consumer: Consumer
  private producer: Producer
  private readonly restorer: ChangelogRestorer
  /** Restores persistent stores (only with a stateDir). */
  private readonly stateReader: KafkaChangelogReader | undefined
  private readonly standbys: StandbyTasks
  private readonly globals: GlobalStores
  private readonly admin: Admin
  private lastLagMs = 0
  private readonly metrics: KafkaStreamsMetrics
  private readonly hooks: StreamThreadHooks
  private readonly processId: string
  private readonly exactlyOnce: boolean
  private readonly suspended = new Map<string, ActiveTask>()
  private readonly sendFailures: Error[] = []
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly closedDrops: Record<string, number> = {}
  private assignment: AssignmentInfo | null = null
  private transactionOpen = false
  private running = false
  private lastCommitMs = 0
  private loop: Promise<void> | undefined
  /** Repartition topics (runtime names): consumed and committed records are deleted from them. */
  private readonly repartitionTopics: ReadonlySet<string>
  private lastPurgeMs = 0
  private purging: Promise<void> | undefined
  /** Latest committed offset per repartition partition, not yet purged. */
  private readonly toPurge = new Map<string, TopicPartitionOffset>()

  constructor(topology: Topology, plan: TopicPlan, config: ResolvedConfig, runtime: RuntimeConfig, processId: string, metrics: KafkaStreamsMetrics, hooks: StreamThreadHooks) {
    this.config = config
    this.plan = plan
    this.metrics = metrics
    this.hooks = hooks
    this.processId = processId
    this.exactlyOnce = config.processingGuarantee === 'exactly_once_v2'
    this.repartitionTopics = new Set(plan.internalTopics.filter((topic) => topic.kind === 'repartition').map((topic) => topic.topic))
    const clientId = `${config.applicationId}-${processId}`
    this.globals = new GlobalStores(topology, runtime, { bootstrapServers: config.bootstrapServers, clientId, readCommitted: this.exactlyOnce })
    const persistence: TaskPersistence | undefined = config.stateDir === undefined ? undefined : { stateDir: config.stateDir, exactlyOnce: this.exactlyOnce, standby: false }
    this.tasks = new ActiveTasks(topology, plan, runtime, this.globals.stores, [], persistence)
    this.stateReader = persistence === undefined ? undefined : new KafkaChangelogReader({ bootstrapServers: config.bootstrapServers, clientId, readCommitted: this.exactlyOnce })
    const allTasks = tasksOfPlan(plan)
    const assignor = streamsAssignor({
      tasks: () => allTasks,
      numStandbyReplicas: config.numStandbyReplicas,
      subscription: (): SubscriptionInfo => ({ version: 1, processId, applicationServer: config.applicationServer ?? null, activeTasks: [...this.tasks.tasks.keys(), ...this.suspended.keys()], standbyTasks: this.standbys.ids() }),
      onAssignment: (info) => {
        this.assignment = info
        this.hooks.onAssignment(info)
      },
    })
    this.consumer = createConsumer({
      bootstrapServers: config.bootstrapServers,
      clientId,
      groupId: config.applicationId,
      isolationLevel: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      assignors: [assignor],
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      maxPollRecords: config.maxPollRecords,
      fetchMaxWaitMs: Math.min(config.pollMs, 500),
    })
    this.producer = this.createProducer()
    this.admin = createAdmin({ bootstrapServers: config.bootstrapServers, clientId: `${clientId}-admin` })
    const standbyPersistence = persistence === undefined ? undefined : { ...persistence, standby: true }
    this.standbys = new StandbyTasks(new ActiveTasks(topology, plan, runtime, this.globals.stores, this.tasks.output, standbyPersistence), { bootstrapServers: config.bootstrapServers, clientId, readCommitted: this.exactlyOnce })
    this.restorer = new ChangelogRestorer({
      bootstrapServers: config.bootstrapServers,
      clientId,
      readCommitted: this.exactlyOnce,
      maxPollRecords: 10_000,
      onProgress: (progress) => {
        this.metrics.restore[`${progress.store} ${progress.topic}-${progress.partition}`] = progress
      },
    })
  }

  start(): void {
    this.running = true
    this.consumer.subscribe(this.plan.subtopologies.flatMap((sub) => sub.sourceTopics), {
      onPartitionsRevoked: async () => await this.onRevoked(),
      onPartitionsAssigned: async (partitions) => await this.onAssigned(partitions),
      onPartitionsLost: async () => await this.onLost(),
    })
    this.lastCommitMs = this.config.systemTimeMs()
    this.loop = this.runLoop()
  }

  /** Resolves when the loop ends; rejects with the error that stopped it. */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve()
  }

  /** Stops the loop; commits first when `clean`. */
  async stop(clean: boolean): Promise<void> {
    this.running = false
    await this.loop?.catch(() => undefined)
    let committed = false
    try {
      if (clean) {
        await this.commit()
        committed = true
      }
    } catch (error) {
      if (!isMigrated(error)) throw error
      this.config.logger.warn(`final commit refused, uncommitted records will be processed again: ${String(error)}`)
    } finally {
      if (!clean && this.transactionOpen) await this.producer.abortTransaction().catch(() => undefined)
      for (const active of this.tasks.tasks.values()) this.closeTask(active, committed)
      // Suspended tasks were committed when their partitions were revoked.
      for (const active of this.suspended.values()) this.closeTask(active, true)
      await this.tasks.allClosed().catch(() => undefined)
      this.tasks.tasks.clear()
      this.suspended.clear()
      await this.consumer.close().catch(() => undefined)
      await this.producer.close().catch(() => undefined)
      await this.purging
      await this.restorer.close().catch(() => undefined)
      await this.stateReader?.close().catch(() => undefined)
      await this.standbys.close().catch(() => undefined)
      await this.admin.close().catch(() => undefined)
      await this.globals.close().catch(() => undefined)
    }
  }

  droppedRecords(): Record<string, number> {
    const out = { ...this.closedDrops }
    for (const [reason, count] of this.globals.droppedRecords()) out[reason] = (out[reason] ?? 0) + count
    for (const [reason, count] of Object.entries(this.tasks.droppedRecords())) out[reason] = (out[reason] ?? 0) + count
    return out
  }

  private createProducer(): Producer {
    return createProducer({
      bootstrapServers: this.config.bootstrapServers,
      clientId: `${this.config.applicationId}-${this.processId}-producer`,
      idempotent: true,
      transactionalId: this.exactlyOnce ? `${this.config.applicationId}-${this.processId}` : undefined,
      lingerMs: 5,
    })
  }

  private async runLoop(): Promise<void> {
    await this.globals.bootstrap()
    while (this.running) {
      const records = await this.consumer.poll({ timeoutMs: this.config.pollMs })
      if (!this.running) break
      if (records.length > 0) this.processBatch(records)
      this.tasks.punctuateWallClock()
      try {
        await this.sendOutput()
      } catch (error) {
        // Under exactly-once a fenced producer (a newer incarnation, or an aborted
        // transaction) means our uncommitted work is void: roll back and go on.
        if (!this.exactlyOnce || !isMigrated(error)) throw error
        this.config.logger.warn(`transaction could not start, rolling back: ${String(error)}`)
        await this.rollback()
      }
      await this.standbys.maintain(this.config.systemTimeMs(), 50)
      await this.globals.maintain(this.config.systemTimeMs(), 50)
      if (this.config.systemTimeMs() - this.lastCommitMs >= this.config.commitIntervalMs) await this.commitOrRecover()
      if (this.config.systemTimeMs() - this.lastLagMs >= 1_000) await this.refreshLag()
    }
  }

  /** Records behind the end (last stable offset under exactly-once) per assigned partition. */
  private async refreshLag(): Promise<void> {
    this.lastLagMs = this.config.systemTimeMs()
    const partitions = this.consumer.assignment()
    const lag: Record<string, number> = {}
    if (partitions.length > 0) {
      try {
        const ends = await this.admin.listOffsets(partitions.map((tp) => ({ ...tp, at: 'latest' as const })), this.exactlyOnce ? 'read_committed' : 'read_uncommitted')
        for (const end of ends) lag[`${end.topic}-${end.partition}`] = Math.max(0, Number(end.offset - (await this.consumer.position(end))))
      } catch (error) {
        this.config.logger.warn(`lag refresh failed: ${String(error)}`)
        return
      }
    }
    this.metrics.lag = lag
  }

  private processBatch(records: readonly ConsumerRecord[]): void {
    const started = performance.now()
    for (const record of records) {
      const serialized = { topic: record.topic, partition: record.partition, offset: Number(record.offset), key: record.key, value: record.value, timestamp: Number(record.timestamp), headers: record.headers }
      if (this.tasks.process(serialized)) this.metrics.recordsIn++
    }
    recordLatency(this.metrics.processLatency, performance.now() - started)
  }

  private async sendOutput(): Promise<void> {
    if (this.tasks.output.length === 0) return
    if (this.exactlyOnce && !this.transactionOpen) {
      await this.producer.beginTransaction()
      this.transactionOpen = true
    }
    const batch: ProducerRecord[] = this.tasks.output.splice(0, this.tasks.output.length)
    this.metrics.recordsOut += batch.length
    const sent = this.producer.send(batch).then(
      (metadata) => this.tasks.acknowledge(metadata),
      (error: unknown) => this.onSendFailure(error, batch.length),
    )
    this.inFlight.add(sent)
    void sent.finally(() => this.inFlight.delete(sent))
  }

  private onSendFailure(error: unknown, records: number): void {
    if (this.config.productionErrorPolicy === 'logAndContinue' && !this.exactlyOnce) {
      this.closedDrops['production-error'] = (this.closedDrops['production-error'] ?? 0) + records
      this.config.logger.warn(`dropped ${records} output records the producer could not write: ${String(error)}`)
      return
    }
    this.sendFailures.push(error instanceof Error ? error : new Error(String(error)))
  }

  private async commit(): Promise<void> {
    const started = performance.now()
    // The interval runs from commit start to commit start, as Kafka Streams' commit.interval.ms does.
    const startedMs = this.config.systemTimeMs()
    const offsets = this.tasks.prepareCommit()
    await this.sendOutput()
    if (this.exactlyOnce && !this.transactionOpen && offsets.length > 0) {
      await this.producer.beginTransaction()
      this.transactionOpen = true
    }
    // Under exactly-once the input offsets join the transaction while its output is still being
    // acknowledged: only EndTxn has to wait for both.
    const offsetsSent = this.exactlyOnce && this.transactionOpen && offsets.length > 0 ? this.producer.sendOffsetsToTransaction(offsets, this.consumer.groupMetadata()) : undefined
    const [flushed, offsetsAdded] = await Promise.allSettled([this.flushOutput(), offsetsSent])
    if (flushed.status === 'rejected') throw flushed.reason
    if (this.sendFailures.length > 0) {
      const failure = this.sendFailures.splice(0)[0]
      throw new KafkaStreamsError(KafkaStreamsErrorCode.Production, `writing output failed: ${failure.message}`, { cause: failure })
    }
    if (offsetsAdded.status === 'rejected') throw offsetsAdded.reason
    if (this.exactlyOnce) {
      if (this.transactionOpen) {
        await this.producer.commitTransaction()
        this.transactionOpen = false
      }
    } else if (offsets.length > 0) {
      try {
        await this.consumer.commit(offsets)
      } catch (error) {
        if (!isGroupMigration(error)) throw error
        // The group moved on: keep the offsets pending; the rejoin decides what stays ours.
        throw new KafkaStreamsError(KafkaStreamsErrorCode.TaskMigrated, `offset commit refused by the group coordinator: ${String(error)}`, { cause: error, retriable: true })
      }
    }
    this.tasks.clearPendingOffsets()
    this.tasks.committed()
    this.lastCommitMs = startedMs
    this.maybePurgeRepartitionTopics(offsets)
    this.metrics.commits++
    recordLatency(this.metrics.commitLatency, performance.now() - started)
  }

  /** Sends everything queued and waits until every send of this commit period is acknowledged or failed. */
  private async flushOutput(): Promise<void> {
    await this.producer.flush()
    await Promise.all(this.inFlight)
  }

  /**
   * Deletes the records of repartition topics below the offsets just committed (Kafka Streams'
   * repartition purge): nothing reads them again, and the topics are kept without retention.
   * Asynchronous, one request at a time; a failure is logged and retried at the next interval.
   */
  private maybePurgeRepartitionTopics(committed: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of committed) {
      if (this.repartitionTopics.has(topic) && offset > 0n) this.toPurge.set(topicPartitionKey({ topic, partition }), { topic, partition, offset })
    }
    const now = this.config.systemTimeMs()
    if (this.purging !== undefined || this.toPurge.size === 0 || now - this.lastPurgeMs < this.config.repartitionPurgeIntervalMs) return
    const purge = [...this.toPurge.values()]
    this.toPurge.clear()
    this.lastPurgeMs = now
    this.purging = this.admin.deleteRecords(purge).then(
      () => undefined,
      (error: unknown) => this.config.logger.warn(`purging repartition topics failed (retried after ${this.config.repartitionPurgeIntervalMs} ms): ${String(error)}`),
    ).finally(() => {
      this.purging = undefined
    })
  }

  /** Under exactly-once a failed commit rolls back: abort, rebuild state, rewind inputs. */
  private async commitOrRecover(): Promise<void> {
    try {
      await this.commit()
    } catch (error) {
      if (!this.exactlyOnce && isMigrated(error)) {
        this.config.logger.warn(`commit skipped, the group is rebalancing: ${String(error)}`)
        return
      }
      if (!this.exactlyOnce || error instanceof KafkaStreamsError && error.code === KafkaStreamsErrorCode.Production) throw error
      this.config.logger.warn(`exactly-once commit failed, rolling back to the last committed state: ${String(error)}`)
      await this.rollback()
    }
  }

  private async rollback(): Promise<void> {
    if (this.transactionOpen) await this.producer.abortTransaction().catch(() => undefined)
    this.transactionOpen = false
    this.tasks.output.length = 0
    await this.producer.close().catch(() => undefined)
    this.producer = this.createProducer()
    const ids = [...this.tasks.tasks.keys()]
    for (const id of ids) this.closeTask(this.tasks.remove(id)!, false)
    await this.createTasks(ids)
    await this.rewindToCommitted(this.consumer.assignment())
  }

  private async rewindToCommitted(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return
    const committed = await this.consumer.committed(partitions)
    for (const offset of committed) {
      if (offset.offset >= 0n) this.consumer.seek(offset, offset.offset)
      else await this.consumer.seekToBeginning([offset])
    }
  }

  private async onRevoked(): Promise<void> {
    this.metrics.rebalances++
    this.hooks.onRebalanceStart()
    if (this.tasks.tasks.size === 0) return
    try {
      await this.commit()
    } catch (error) {
      if (!isMigrated(error) && !this.exactlyOnce) throw error
      // Not committed: the tasks' work since the last commit is redone by the next owner.
      this.config.logger.warn(`commit before revocation failed, closing tasks without committing: ${String(error)}`)
      await this.onLost()
      return
    }
    for (const id of [...this.tasks.tasks.keys()]) this.suspended.set(id, this.tasks.remove(id)!)
  }

  private async onLost(): Promise<void> {
    if (this.transactionOpen) await this.producer.abortTransaction().catch(() => undefined)
    this.transactionOpen = false
    this.tasks.output.length = 0
    for (const id of [...this.tasks.tasks.keys()]) this.closeTask(this.tasks.remove(id)!, false)
    for (const active of this.suspended.values()) this.closeTask(active, false)
    this.suspended.clear()
  }

  private async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    const info = this.assignment
    const wanted = info?.activeTasks ?? []
    for (const [id, active] of this.suspended) {
      if (!wanted.includes(id)) this.closeTask(active, true)
    }
    const fresh: string[] = []
    for (const id of wanted) {
      const kept = this.suspended.get(id)
      if (kept !== undefined) this.tasks.add(kept)
      else fresh.push(id)
    }
    this.suspended.clear()
    await this.createTasks(fresh)
    await this.standbys.update(info?.standbyTasks ?? [])
    const owned = new Set(partitions.map(topicPartitionKey))
    for (const active of this.tasks.tasks.values()) {
      for (const tp of active.partitions) if (!owned.has(topicPartitionKey(tp))) throw new Error(`assertion failed: task ${active.id} reads ${tp.topic}-${tp.partition} which is not assigned`)
    }
    this.metrics.activeTasks = this.tasks.tasks.size
    this.metrics.standbyTasks = this.standbys.size
    this.hooks.onRunning()
  }

  private async createTasks(ids: readonly string[]): Promise<void> {
    const targets: RestoreTarget[] = []
    const created: ActiveTask[] = []
    const stateRestores: { task: ActiveTask; registrations: RestorableStoreRegistration[] }[] = []
    for (const id of ids) {
      const promoted = await this.standbys.promote(id)
      if (promoted !== undefined) this.tasks.add(promoted.task)
      else await this.tasks.closed(id)
      // A promoted standby keeps its in-memory stores (restored by the changelog restorer).
      const { task, restoreTargets, stateRestore } = promoted === undefined ? this.tasks.create(id) : { ...promoted, stateRestore: [] }
      created.push(task)
      targets.push(...restoreTargets)
      if (stateRestore.length > 0) stateRestores.push({ task, registrations: stateRestore })
    }
    await this.restorer.restore(targets)
    for (const { task, registrations } of stateRestores) await this.restoreState(task, registrations)
    for (const task of created) task.state = 'running'
  }

  /** Restores a persistent task's stores from their checkpointed offsets (TaskStateManager step 2). */
  private async restoreState(task: ActiveTask, registrations: readonly RestorableStoreRegistration[]): Promise<void> {
    await task.stateManager!.restore(registrations, this.stateReader!, {
      onProgress: (progress) => {
        const { topic, partition } = progress.topicPartition
        this.metrics.restore[`${progress.storeName} ${topic}-${partition}`] = { store: progress.storeName, topic, partition, restoredRecords: progress.restoredRecords, totalRecords: progress.totalRecords, done: progress.position >= progress.endOffset }
      },
    })
  }

  /** `clean`: the task's last commit succeeded (persistent state gets its checkpoint). */
  private closeTask(active: ActiveTask, clean: boolean): void {
    for (const [reason, count] of active.task.droppedRecords) this.closedDrops[reason] = (this.closedDrops[reason] ?? 0) + count
    this.tasks.close(active, clean)
  }
}

const migrationCodes = new Set([22, 25, 27, 47, 48, 51, 90]) // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, CONCURRENT_TRANSACTIONS, PRODUCER_FENCED

function isGroupMigration(error: unknown): boolean {
  return typeof error === 'object' && error !== null && migrationCodes.has((error as { code?: unknown }).code as number)
}

function isMigrated(error: unknown): boolean {
  return (error instanceof KafkaStreamsError && error.code === KafkaStreamsErrorCode.TaskMigrated) || isGroupMigration(error)
}

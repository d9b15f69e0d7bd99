// KafkaStreams: runs a Topology on Kafka through @tributary/client. start() plans and creates
// the internal topics, then one StreamThread joins the application's consumer group (group id =
// applicationId) with the streams assignor. States follow Kafka Streams: CREATED → REBALANCING
// ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or ERROR when the thread fails and the
// uncaught-error policy says to stop.
import type { Topology } from '../topology/topology.ts'
import type { Serde } from '../serde/serde.ts'
import type { RuntimeConfig } from '../runtime/runtime-config.ts'
import type { StateStore, StoreKind } from '../state/state-store.ts'
import type { Windowed } from '../state/windowed.ts'
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore } from '../testing/store-views.ts'
import type { AssignmentInfo } from './assignor.ts'
import { resolveConfig, type KafkaStreamsConfig, type ResolvedConfig } from './config.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { prepareTopics } from './internal-topics.ts'
import { keyValueStoreView, sessionStoreView, windowStoreView, type StoreSource } from './local-stores.ts'
import { emptyMetrics, toPrometheus, type KafkaStreamsMetrics } from './metrics.ts'
import { partitionForKey } from './murmur2.ts'
import { loadProcessId, lockStateDirectory, type StateDirectoryLock } from './process-id.ts'
import { StreamThread } from './stream-thread.ts'
import { allTime, fetchKey, startQueryServer, stopQueryServer, type LocalAnswer, type TimeRange, type WindowedValue } from './query-server.ts'
import type { Server } from 'node:http'
import { formatTaskId } from './task-id.ts'
import type { TopicPlan } from './topic-plan.ts'

export const KafkaStreamsState = {
  Created: 'CREATED',
  Rebalancing: 'REBALANCING',
  Running: 'RUNNING',
  PendingShutdown: 'PENDING_SHUTDOWN',
  NotRunning: 'NOT_RUNNING',
  Error: 'ERROR',
} as const
export type KafkaStreamsState = (typeof KafkaStreamsState)[keyof typeof KafkaStreamsState]

/** What the instance does after its processing thread failed (Kafka's StreamThreadExceptionResponse). */
export type UncaughtErrorResponse = 'replace_thread' | 'shutdown_client'

export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void

/** Where a key of a store lives (Kafka's KeyQueryMetadata). */
export interface KeyQueryMetadata {
  readonly activeHost: string | null
  readonly standbyHosts: readonly string[]
  readonly partition: number
}

export class KafkaStreams implements StoreSource {
  readonly config: ResolvedConfig
  private readonly topology: Topology
  private readonly metricsState: KafkaStreamsMetrics = emptyMetrics()
  private stateValue: KafkaStreamsState = KafkaStreamsState.Created
  private listener: StateListener | undefined
  private errorHandler: (error: unknown) => UncaughtErrorResponse = () => 'shutdown_client'
  private thread: StreamThread | undefined
  private plan: TopicPlan | undefined
  private processIdValue = ''
  private assignment: AssignmentInfo | null = null
  private lastError: unknown
  private server: Server | undefined
  private stateLock: StateDirectoryLock | undefined

  constructor(topology: Topology, config: KafkaStreamsConfig) {
    this.topology = topology
    this.config = resolveConfig(config)
  }

  get state(): KafkaStreamsState {
    return this.stateValue
  }

  get processId(): string {
    return this.processIdValue
  }

  /** The error that moved the instance to ERROR, if any. */
  get error(): unknown {
    return this.lastError
  }

  setStateListener(listener: StateListener): void {
    this.listener = listener
  }

  setUncaughtExceptionHandler(handler: (error: unknown) => UncaughtErrorResponse): void {
    this.errorHandler = handler
  }

  /** Creates internal topics, joins the group and starts processing. Resolves once started (not yet RUNNING). */
  async start(): Promise<void> {
    if (this.stateValue !== KafkaStreamsState.Created) throw new KafkaStreamsError(KafkaStreamsErrorCode.IllegalState, `start() called in state ${this.stateValue}`)
    this.setState(KafkaStreamsState.Rebalancing)
    try {
      if (this.config.stateDir !== undefined) this.stateLock = await lockStateDirectory(this.config.stateDir, this.config.applicationId)
      this.processIdValue = await loadProcessId(this.config.stateDir, this.config.applicationId)
      this.plan = await prepareTopics(this.topology, this.config)
      if (this.config.applicationServer !== undefined) await this.startServer(this.config.applicationServer)
      this.startThread()
    } catch (error) {
      if (this.server !== undefined) await stopQueryServer(this.server).catch(() => undefined)
      this.server = undefined
      await this.releaseStateLock()
      this.lastError = error
      this.setState(KafkaStreamsState.Error)
      throw error
    }
  }

  /** Commits, leaves the group and releases every resource. Idempotent. */
  async close(): Promise<void> {
    if (this.stateValue === KafkaStreamsState.NotRunning || this.stateValue === KafkaStreamsState.PendingShutdown) return
    const failed = this.stateValue === KafkaStreamsState.Error
    this.setState(KafkaStreamsState.PendingShutdown)
    const thread = this.thread
    this.thread = undefined
    try {
      await thread?.stop(!failed)
    } finally {
      if (this.server !== undefined) await stopQueryServer(this.server)
      this.server = undefined
      await this.releaseStateLock()
      this.setState(KafkaStreamsState.NotRunning)
    }
  }

  /** Resolves when the instance reaches `state` (or rejects after timeoutMs). */
  async waitForState(state: KafkaStreamsState, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.stateValue !== state) {
      if (this.stateValue === KafkaStreamsState.Error && state !== KafkaStreamsState.Error) throw new KafkaStreamsError(KafkaStreamsErrorCode.IllegalState, `instance failed: ${String(this.lastError)}`, { cause: this.lastError })
      if (Date.now() > deadline) throw new KafkaStreamsError(KafkaStreamsErrorCode.IllegalState, `state ${state} not reached within ${timeoutMs} ms (state: ${this.stateValue})`, { retriable: true })
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** A read-only view of a local store over all local active tasks. */
  store<K, V>(name: string, type: 'keyValue'): ReadOnlyKeyValueStore<K, V>
  store<K, V>(name: string, type: 'window'): ReadOnlyWindowStore<K, V>
  store<K, V>(name: string, type: 'session'): ReadOnlySessionStore<K, V>
  store<K, V>(name: string, type: StoreKind): ReadOnlyKeyValueStore<K, V> | ReadOnlyWindowStore<K, V> | ReadOnlySessionStore<K, V> {
    this.storesNamed(name)
    if (type === 'keyValue') return keyValueStoreView<K, V>(this, name)
    if (type === 'window') return windowStoreView<K, V>(this, name)
    return sessionStoreView<K, V>(this, name)
  }

  storesNamed(name: string): { stores: StateStore[]; kind: StoreKind; timestamped: boolean } {
    const builder = this.topology.stores().get(name)
    if (builder === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `no state store named '${name}'`)
    if (this.stateValue !== KafkaStreamsState.Running || this.thread === undefined) {
      throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `store '${name}' cannot be queried while the instance is ${this.stateValue}; retry`, { retriable: true })
    }
    const stores: StateStore[] = []
    for (const active of this.thread.tasks.tasks.values()) {
      const store = active.task.store(name)
      if (store === undefined) continue
      if (active.state !== 'running') throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `store '${name}' of task ${active.id} is being restored; retry`, { retriable: true })
      stores.push(store)
    }
    return { stores, kind: builder.kind, timestamped: builder.timestamped }
  }

  /** Which instance (applicationServer) hosts `key` of `storeName`, from the latest assignment. */
  queryMetadataForKey<K>(storeName: string, key: K, keySerde: Serde<K>): KeyQueryMetadata {
    const bytes = keySerde.serialize(storeName, key)
    if (bytes === null) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `key of store '${storeName}' serialized to null`)
    return this.queryMetadataForSerializedKey(storeName, bytes)
  }

  /**
   * The value of `key` in key-value store `storeName`, read locally when this instance hosts
   * the key, else from its owner over HTTP (needs `applicationServer` on every instance; the
   * store is served with its declared key serde, or the one in `queryableStores`). Values come
   * back as the owner's JSON rendering.
   */
  async queryKey<K, V>(storeName: string, key: K, keySerde: Serde<K>): Promise<V | null> {
    return (await this.queryOwner(storeName, key, keySerde, allTime, 'value')) as V | null
  }

  /**
   * The windows of `key` in window store `storeName` whose start lies in [fromMs, toMs], ascending,
   * read locally or from the owner over HTTP (as queryKey).
   */
  async queryWindows<K, V>(storeName: string, key: K, keySerde: Serde<K>, fromMs = allTime.fromMs, toMs = allTime.toMs): Promise<{ start: number; end: number; value: V }[]> {
    return (await this.queryOwner(storeName, key, keySerde, { fromMs, toMs }, 'windows')) as { start: number; end: number; value: V }[]
  }

  /** The sessions of `key` in session store `storeName`, read locally or from the owner over HTTP. */
  async querySessions<K, V>(storeName: string, key: K, keySerde: Serde<K>): Promise<{ start: number; end: number; value: V }[]> {
    return (await this.queryOwner(storeName, key, keySerde, allTime, 'sessions')) as { start: number; end: number; value: V }[]
  }

  /** `field` of what the instance hosting `key` holds for it: this one's stores, or the owner's over HTTP. */
  private async queryOwner<K>(storeName: string, key: K, keySerde: Serde<K>, range: TimeRange, field: 'value' | 'windows' | 'sessions'): Promise<unknown> {
    const bytes = keySerde.serialize(storeName, key)
    if (bytes === null) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `key of store '${storeName}' serialized to null`)
    const metadata = this.queryMetadataForSerializedKey(storeName, bytes)
    if (metadata.activeHost === null) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `no instance hosts partition ${metadata.partition} of store '${storeName}' yet; retry`, { retriable: true })
    const answer = metadata.activeHost === this.config.applicationServer ? this.localQuery(storeName, key, range) : await fetchKey(metadata.activeHost, storeName, bytes, { range })
    return answerField(answer, storeName, metadata.activeHost, field)
  }

  /** What this instance's local stores hold for `key`, by store kind (the HTTP endpoint's answer). */
  private localQuery(storeName: string, key: unknown, range: TimeRange): LocalAnswer {
    const { kind, stores } = this.storesNamed(storeName)
    if (kind === 'keyValue') return { value: this.store(storeName, 'keyValue').get(key) ?? null }
    if (kind === 'window') {
      const sizeMs = (stores[0] as { windowSizeMs?: number } | undefined)?.windowSizeMs ?? 0
      const windows: WindowedValue[] = [...this.store(storeName, 'window').fetch(key, range.fromMs, range.toMs)].map(({ timestamp, value }) => ({ start: timestamp, end: timestamp + sizeMs, value }))
      return { windows }
    }
    const sessions: WindowedValue[] = [...this.store<unknown, unknown>(storeName, 'session').fetch(key)]
      .map(({ key: windowed, value }) => ({ start: (windowed as Windowed<unknown>).window.startMs, end: (windowed as Windowed<unknown>).window.endMs, value }))
    return { sessions }
  }

  private queryMetadataForSerializedKey(storeName: string, bytes: Uint8Array): KeyQueryMetadata {
    const plan = this.requirePlan()
    const sub = plan.subtopologies.find((candidate) => candidate.subtopology.stores.includes(storeName))
    if (sub === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `no state store named '${storeName}'`)
    const partition = partitionForKey(bytes, sub.partitions)
    const task = formatTaskId({ subtopology: sub.subtopology.id, partition })
    let activeHost: string | null = null
    const standbyHosts: string[] = []
    for (const [host, owned] of Object.entries(this.assignment?.hosts ?? {})) {
      if (owned.active.includes(task)) activeHost = host
      if (owned.standby.includes(task)) standbyHosts.push(host)
    }
    return { activeHost, standbyHosts, partition }
  }

  /** applicationServer → the tasks it hosts, from the latest assignment (Kafka's metadataForAllStreamsClients). */
  hosts(): Readonly<Record<string, { active: readonly string[]; standby: readonly string[] }>> {
    return this.assignment?.hosts ?? {}
  }

  metrics(): KafkaStreamsMetrics {
    const dropped = this.thread?.droppedRecords() ?? {}
    return { ...this.metricsState, droppedRecords: dropped }
  }

  prometheusMetrics(): string {
    return toPrometheus(this.metrics(), this.config.applicationId)
  }

  private async startServer(applicationServer: string): Promise<void> {
    this.server = await startQueryServer({
      applicationServer,
      keySerdes: this.queryableKeySerdes(),
      ownerOf: (store, bytes) => this.queryMetadataForSerializedKey(store, bytes),
      localQuery: (store, key, range) => this.localQuery(store, key, range),
      metadata: () => this.hosts(),
      prometheus: () => this.prometheusMetrics(),
    })
  }

  /** Stores served over HTTP: every store declared with a key serde, and those of `queryableStores` (which win). */
  private queryableKeySerdes(): Map<string, Serde<any>> {
    const serdes = new Map<string, Serde<any>>()
    for (const [name, builder] of this.topology.stores()) if (builder.keySerde !== undefined) serdes.set(name, builder.keySerde)
    for (const [name, serde] of Object.entries(this.config.queryableStores)) serdes.set(name, serde)
    return serdes
  }

  private startThread(): void {
    const runtime: RuntimeConfig = {
      applicationId: this.config.applicationId,
      defaultKeySerde: this.config.defaultKeySerde,
      defaultValueSerde: this.config.defaultValueSerde,
      defaultTimestampExtractor: this.config.defaultTimestampExtractor,
      deserializationErrorPolicy: this.config.deserializationErrorPolicy,
      processingErrorPolicy: this.config.processingErrorPolicy,
      productionErrorPolicy: this.config.productionErrorPolicy,
      logger: this.config.logger,
      systemTimeMs: this.config.systemTimeMs,
      cacheMaxBytes: this.config.cacheMaxBytes,
    }
    const thread = new StreamThread(this.topology, this.requirePlan(), this.config, runtime, this.processIdValue, this.metricsState, {
      onRebalanceStart: () => this.setState(KafkaStreamsState.Rebalancing),
      onRunning: () => this.setState(KafkaStreamsState.Running),
      onAssignment: (info) => {
        this.assignment = info
      },
    })
    this.thread = thread
    thread.start()
    thread.done().then(
      () => undefined,
      (error: unknown) => void this.onThreadError(thread, error),
    )
  }

  private async onThreadError(thread: StreamThread, error: unknown): Promise<void> {
    if (this.thread !== thread) return
    this.config.logger.warn(`stream thread failed: ${error instanceof Error ? error.message : String(error)}`)
    let response: UncaughtErrorResponse = 'shutdown_client'
    try {
      response = this.errorHandler(error)
    } catch {
      response = 'shutdown_client'
    }
    await thread.stop(false).catch(() => undefined)
    if (this.thread !== thread) return
    if (response === 'replace_thread') {
      this.setState(KafkaStreamsState.Rebalancing)
      this.startThread()
      return
    }
    this.lastError = error
    this.thread = undefined
    this.setState(KafkaStreamsState.Error)
  }

  private async releaseStateLock(): Promise<void> {
    const lock = this.stateLock
    this.stateLock = undefined
    await lock?.release()
  }

  private requirePlan(): TopicPlan {
    if (this.plan === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.IllegalState, 'the instance is not started', { retriable: true })
    return this.plan
  }

  private setState(next: KafkaStreamsState): void {
    const previous = this.stateValue
    if (previous === next) return
    if (previous === KafkaStreamsState.NotRunning || (previous === KafkaStreamsState.Error && next !== KafkaStreamsState.PendingShutdown)) return
    if (previous === KafkaStreamsState.PendingShutdown && next !== KafkaStreamsState.NotRunning) return
    this.stateValue = next
    this.listener?.(next, previous)
  }
}

function answerField(answer: LocalAnswer, storeName: string, host: string, field: 'value' | 'windows' | 'sessions'): unknown {
  if (!(field in answer)) throw new KafkaStreamsError(KafkaStreamsErrorCode.InvalidStateStore, `store '${storeName}' on ${host} has no ${field}: it is not a ${field === 'value' ? 'key-value' : field === 'windows' ? 'window' : 'session'} store`)
  return (answer as Record<string, unknown>)[field]
}

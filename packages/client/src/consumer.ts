// The consumer: poll-based, like Kafka's, because a stream processor must decide when to fetch,
// commit, pause and seek. Group membership (group-membership.ts) and fetching (fetcher.ts) are
// ours on top of the wrapped library's connections; nothing from that library is exposed.
import { Admin } from '@platformatic/kafka'
import { rangeAssignor, type PartitionAssignor } from './assignor.ts'
import { ClientError, ClientErrorCode, KafkaErrorCode, KafkaProtocolError } from './errors.ts'
import { fetchOnce, type PartitionFetchResult } from './fetcher.ts'
import { GroupMembership } from './group-membership.ts'
import { commitOffsets, fetchCommittedOffsets, listOffsets, OffsetSpec } from './offsets.ts'
import { IsolationLevel, topicPartitionKey, type ClientOptions, type ConsumerGroupMetadata, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from './types.ts'
import { toBaseOptions, Wire } from './wire.ts'

/** Called around rebalances. Eager protocol: everything is revoked before each rejoin. */
export interface RebalanceListener {
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>
  /** The member was fenced (session expired, generation gone): partitions are gone, do not commit. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>
}

export interface ConsumerOptions extends ClientOptions {
  /** Required for subscribe() and commits; not needed for assign() with manual positions. */
  groupId?: string
  groupInstanceId?: string
  isolationLevel?: IsolationLevel
  /** Commit positions every autoCommitIntervalMs during poll and before revocation. Default false. */
  autoCommit?: boolean
  autoCommitIntervalMs?: number
  /** Where to start a partition without a committed offset. Default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none'
  /** Offered in this order in JoinGroup; the leader uses the one the group agreed on. Default [range]. */
  assignors?: readonly PartitionAssignor[]
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Upper bound of records one poll returns. Default 500. */
  maxPollRecords?: number
  fetchMaxWaitMs?: number
  fetchMinBytes?: number
  fetchMaxBytes?: number
  maxPartitionFetchBytes?: number
}

export interface PollOptions {
  maxRecords?: number
  /** How long poll may wait for records. Default 1000. */
  timeoutMs?: number
}

interface PartitionState extends TopicPartition {
  /** Next offset to return; undefined until initialised from the committed offset or the reset policy. */
  position: bigint | undefined
  leaderEpoch: number
  paused: boolean
  buffered: ConsumerRecord[]
  /** Position once every buffered record has been returned. */
  bufferedNextOffset: bigint | undefined
}

export class Consumer implements AsyncIterable<ConsumerRecord[]> {
  readonly #options: ConsumerOptions
  readonly #admin: Admin
  readonly #wire: Wire
  readonly #membership: GroupMembership | undefined
  readonly #partitions = new Map<string, PartitionState>()
  #subscription: string[] = []
  #listener: RebalanceListener = {}
  #manual = false
  #closed = false
  #lastAutoCommitMs = Date.now()

  constructor(options: ConsumerOptions) {
    this.#options = options
    const rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 60_000
    const base = toBaseOptions(options, 'tributary-consumer')
    base.timeout = Math.max(base.timeout ?? 30_000, rebalanceTimeoutMs + 5_000)
    this.#admin = new Admin(base)
    this.#wire = new Wire(this.#admin)
    if (options.groupId !== undefined) {
      this.#membership = new GroupMembership(
        this.#wire,
        {
          groupId: options.groupId,
          groupInstanceId: options.groupInstanceId ?? null,
          sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
          rebalanceTimeoutMs,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
          assignors: options.assignors ?? [rangeAssignor],
        },
        async (topics) => this.#partitionCounts(topics),
      )
    }
  }

  /** Subscribes to `topics` through the group; the first poll joins. */
  subscribe(topics: readonly string[], listener: RebalanceListener = {}): void {
    this.#assertOpen()
    if (this.#membership === undefined) throw invalidState('subscribe() needs a groupId')
    this.#subscription = [...new Set(topics)]
    this.#listener = listener
    this.#manual = false
    this.#membership.stopHeartbeat()
    this.#needsJoin = true
  }

  /** Manual assignment, no group membership (e.g. a restore consumer). */
  assign(partitions: readonly TopicPartition[]): void {
    this.#assertOpen()
    this.#manual = true
    this.#subscription = []
    this.#setAssignment(partitions)
  }

  assignment(): TopicPartition[] {
    return [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition }))
  }

  /** Returns up to maxRecords records, waiting at most timeoutMs when none are buffered. */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    this.#assertOpen()
    const maxRecords = options.maxRecords ?? this.#options.maxPollRecords ?? 500
    const deadline = Date.now() + (options.timeoutMs ?? 1_000)
    await this.#ensureMembership()
    await this.#maybeAutoCommit()
    await this.#initialisePositions()
    let records = this.#drain(maxRecords)
    while (records.length === 0 && !this.#closed && !this.#needsRejoin()) {
      const remainingMs = deadline - Date.now()
      if (remainingMs <= 0) break
      await this.#fetch(Math.min(remainingMs, this.#options.fetchMaxWaitMs ?? 500))
      records = this.#drain(maxRecords)
    }
    return records
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord[]> {
    while (!this.#closed) yield await this.poll()
  }

  /** Commits `offsets` (next offsets to read), or the current positions of all partitions. */
  async commit(offsets?: readonly TopicPartitionOffset[]): Promise<void> {
    this.#assertOpen()
    this.#requireGroup()
    const toCommit = offsets ?? this.#currentPositions()
    await commitOffsets(this.#wire, await this.#coordinator(), this.groupMetadata(), toCommit)
    this.#lastAutoCommitMs = Date.now()
  }

  /** The group's committed offsets for `partitions` (offset -1: none). */
  async committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.#requireGroup()
    return await fetchCommittedOffsets(this.#wire, await this.#coordinator(), this.#options.groupId!, partitions)
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const partition of partitions) this.#state(partition).paused = true
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const partition of partitions) this.#state(partition).paused = false
  }

  paused(): TopicPartition[] {
    return [...this.#partitions.values()].filter((state) => state.paused).map(({ topic, partition }) => ({ topic, partition }))
  }

  /** The next poll returns records of `partition` from `offset`. */
  seek(partition: TopicPartition, offset: bigint): void {
    const state = this.#state(partition)
    state.position = offset
    state.buffered = []
    state.bufferedNextOffset = undefined
  }

  async seekToBeginning(partitions: readonly TopicPartition[]): Promise<void> {
    await this.#seekTo(partitions, OffsetSpec.Earliest)
  }

  async seekToEnd(partitions: readonly TopicPartition[]): Promise<void> {
    await this.#seekTo(partitions, OffsetSpec.Latest)
  }

  /** The offset of the next record poll returns for `partition`. */
  async position(partition: TopicPartition): Promise<bigint> {
    const state = this.#state(partition)
    if (state.position === undefined) await this.#initialisePositions()
    return state.position!
  }

  /** Group identity for a transactional producer's sendOffsetsToTransaction. */
  groupMetadata(): ConsumerGroupMetadata {
    const membership = this.#requireGroup()
    return { groupId: this.#options.groupId!, generationId: membership.generationId, memberId: membership.memberId, groupInstanceId: this.#options.groupInstanceId ?? null }
  }

  /** Commits (if autoCommit), leaves the group and closes connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      if (this.#membership !== undefined && !this.#manual && this.#membership.memberId !== '') {
        if (this.#options.autoCommit === true) await this.commit().catch(() => undefined)
        await this.#listener.onPartitionsRevoked?.(this.assignment())
        await this.#membership.leave()
      }
    } finally {
      this.#membership?.stopHeartbeat()
      await this.#admin.close()
    }
  }

  #needsJoin = false

  #needsRejoin(): boolean {
    return !this.#manual && this.#membership !== undefined && this.#subscription.length > 0 && (this.#needsJoin || this.#membership.rejoinReason !== 'none')
  }

  async #ensureMembership(): Promise<void> {
    if (!this.#needsRejoin()) return
    const membership = this.#membership!
    const previous = this.assignment()
    if (membership.rejoinReason === 'lost') {
      await this.#listener.onPartitionsLost?.(previous)
    } else if (previous.length > 0 || membership.memberId !== '') {
      if (this.#options.autoCommit === true && previous.length > 0) await this.commit().catch(() => undefined)
      await this.#listener.onPartitionsRevoked?.(previous)
    }
    this.#setAssignment([])
    const assignment = await membership.join(this.#subscription, previous)
    this.#needsJoin = false
    this.#setAssignment(assignment.partitions)
    await this.#listener.onPartitionsAssigned?.(this.assignment())
  }

  #setAssignment(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, PartitionState>()
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey({ topic, partition })
      next.set(key, this.#partitions.get(key) ?? { topic, partition, position: undefined, leaderEpoch: -1, paused: false, buffered: [], bufferedNextOffset: undefined })
    }
    this.#partitions.clear()
    for (const [key, state] of next) this.#partitions.set(key, state)
  }

  async #initialisePositions(): Promise<void> {
    const missing = [...this.#partitions.values()].filter((state) => state.position === undefined)
    if (missing.length === 0) return
    let unresolved = missing
    if (this.#options.groupId !== undefined) {
      const committed = await this.committed(missing)
      const byKey = new Map(committed.map((offset) => [topicPartitionKey(offset), offset]))
      for (const state of missing) {
        const found = byKey.get(topicPartitionKey(state))
        if (found !== undefined && found.offset >= 0n) state.position = found.offset
      }
      unresolved = missing.filter((state) => state.position === undefined)
    }
    if (unresolved.length > 0) await this.#reset(unresolved)
  }

  async #reset(states: PartitionState[]): Promise<void> {
    const policy = this.#options.autoOffsetReset ?? 'latest'
    if (policy === 'none') {
      throw new ClientError(ClientErrorCode.InvalidState, `no committed offset and autoOffsetReset is 'none' for ${states.map((state) => `${state.topic}-${state.partition}`).join(', ')}`, { domain: 'user', retriable: false })
    }
    const timestamp = policy === 'earliest' ? OffsetSpec.Earliest : OffsetSpec.Latest
    const listed = await listOffsets(this.#wire, states.map(({ topic, partition }) => ({ topic, partition, timestamp })), this.#isolation())
    const byKey = new Map(listed.map((offset) => [topicPartitionKey(offset), offset.offset]))
    for (const state of states) state.position = byKey.get(topicPartitionKey(state)) ?? 0n
  }

  async #seekTo(partitions: readonly TopicPartition[], timestamp: bigint): Promise<void> {
    const listed = await listOffsets(this.#wire, partitions.map(({ topic, partition }) => ({ topic, partition, timestamp })), this.#isolation())
    for (const offset of listed) this.seek(offset, offset.offset)
  }

  async #fetch(maxWaitMs: number): Promise<void> {
    const wanted = new Map<string, TopicPartition & { offset: bigint }>()
    for (const [key, state] of this.#partitions) {
      if (!state.paused && state.buffered.length === 0 && state.position !== undefined) wanted.set(key, { topic: state.topic, partition: state.partition, offset: state.position })
    }
    if (wanted.size === 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxWaitMs, 100)))
      return
    }
    const topics = [...new Set([...wanted.values()].map((position) => position.topic))]
    let results: PartitionFetchResult[]
    try {
      const view = await this.#wire.metadata(topics)
      results = await fetchOnce(this.#wire, view, wanted, {
        maxWaitMs,
        minBytes: this.#options.fetchMinBytes ?? 1,
        maxBytes: this.#options.fetchMaxBytes ?? 52_428_800,
        maxPartitionBytes: this.#options.maxPartitionFetchBytes ?? 1_048_576,
        isolationLevel: this.#isolation(),
      })
    } catch (error) {
      // A lost connection or a moved leader: refresh metadata and let the next round retry.
      if (!(error instanceof ClientError || error instanceof KafkaProtocolError) || !error.retriable) throw error
      await this.#wire.metadata(topics, true).catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxWaitMs, 100)))
      return
    }
    await this.#applyFetch(results)
  }

  async #applyFetch(results: PartitionFetchResult[]): Promise<void> {
    const toReset: PartitionState[] = []
    let staleMetadata = false
    for (const result of results) {
      const state = this.#partitions.get(topicPartitionKey(result))
      // Drop results for partitions revoked or sought while the fetch was in flight.
      if (state === undefined || state.position !== result.fetchOffset || state.buffered.length > 0) continue
      if (result.errorCode === KafkaErrorCode.OffsetOutOfRange) {
        toReset.push(state)
      } else if (result.errorCode !== 0) {
        staleMetadata = true
      } else if (result.records.length > 0) {
        state.buffered = result.records
        state.bufferedNextOffset = result.nextOffset
      } else if (result.nextOffset > result.fetchOffset) {
        state.position = result.nextOffset
      }
    }
    if (staleMetadata) await this.#wire.metadata([...new Set(results.map((result) => result.topic))], true)
    if (toReset.length > 0) await this.#reset(toReset)
  }

  #drain(maxRecords: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = []
    for (const state of this.#partitions.values()) {
      if (state.paused || state.buffered.length === 0) continue
      const take = state.buffered.splice(0, maxRecords - out.length)
      out.push(...take)
      const last = take[take.length - 1]
      state.position = state.buffered.length === 0 && state.bufferedNextOffset !== undefined ? state.bufferedNextOffset : last.offset + 1n
      state.leaderEpoch = last.leaderEpoch
      if (out.length >= maxRecords) break
    }
    return out
  }

  async #maybeAutoCommit(): Promise<void> {
    if (this.#options.autoCommit !== true || this.#manual || this.#membership === undefined) return
    if (Date.now() - this.#lastAutoCommitMs < (this.#options.autoCommitIntervalMs ?? 5_000)) return
    await this.commit()
  }

  #currentPositions(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = []
    for (const state of this.#partitions.values()) {
      if (state.position !== undefined) out.push({ topic: state.topic, partition: state.partition, offset: state.position, leaderEpoch: state.leaderEpoch })
    }
    return out
  }

  async #partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const view = await this.#wire.metadata(topics, true)
    const counts = new Map<string, number>()
    for (const topic of topics) {
      const layout = view.topics.get(topic)
      if (layout !== undefined) counts.set(topic, layout.partitions.length)
    }
    return counts
  }

  async #coordinator(): Promise<number> {
    return this.#membership?.coordinatorId ?? (await this.#wire.findCoordinator(0, this.#options.groupId!))
  }

  #isolation(): 0 | 1 {
    return this.#options.isolationLevel === IsolationLevel.ReadCommitted ? 1 : 0
  }

  #state(partition: TopicPartition): PartitionState {
    const state = this.#partitions.get(topicPartitionKey(partition))
    if (state === undefined) throw invalidState(`${partition.topic}-${partition.partition} is not assigned to this consumer`)
    return state
  }

  #requireGroup(): GroupMembership {
    if (this.#membership === undefined) throw invalidState('this consumer has no groupId')
    return this.#membership
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClientError(ClientErrorCode.Closed, 'the consumer is closed', { domain: 'user', retriable: false })
  }
}

export function createConsumer(options: ConsumerOptions): Consumer {
  return new Consumer(options)
}

function invalidState(message: string): ClientError {
  return new ClientError(ClientErrorCode.InvalidState, message, { domain: 'user', retriable: false })
}

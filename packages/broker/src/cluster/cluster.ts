// The cluster state of a single node over the log: topics (with ids and configs), partition
// reads and writes, and the Kafka rules around them (defaults, replication factor 1, error
// codes). Handlers call this and shape responses; this turns log results and LogErrors into
// Kafka error codes. Every partition is led by this node with leaderEpoch 0.
import { ErrorCode } from '@tributary/protocol'
import { LogError, LogErrorCode, LogOffsetOutOfRangeError } from '@tributary/log'
import type { LogManager, PartitionLog, TopicMetadata } from '@tributary/log'
import type { Clock } from '@tributary/protocol'
import type { Logger } from '../logger.ts'
import type { AppendWaiters } from './append-waiters.ts'
import { partitionKey } from './append-waiters.ts'
import type { ProducerStateManager } from './producer-state-manager.ts'
import { appendRecords } from './append-records.ts'
import type { AppendRequest, AppendServices } from './append-records.ts'
import { checkTopicConfigs } from './topic-config.ts'
import { appendFailure, errorResultOf } from './error-results.ts'
import type { AppendResult, CreateTopicRequest, CreateTopicResult, ErrorResult, ListOffsetResult, ReadResult, TopicInfo } from './cluster-types.ts'
import { ListOffsetsTimestamp } from './cluster-types.ts'

export interface ClusterOptions {
  readonly logs: LogManager
  readonly nodeId: number
  /** num.partitions, for auto-created topics and CreateTopics with -1. */
  readonly numPartitions: number
  /** Broker-level topic config defaults (keyed by topic config name). */
  readonly topicConfigDefaults: Readonly<Record<string, string>>
  readonly appendWaiters: AppendWaiters
  readonly producerStateManager: ProducerStateManager
  readonly clock: Clock
  readonly logger: Logger
}

const none: ErrorResult = { errorCode: ErrorCode.None, errorMessage: null }

export class Cluster {
  readonly nodeId: number
  readonly topicConfigDefaults: Readonly<Record<string, string>>
  readonly #options: ClusterOptions
  readonly #logs: LogManager
  readonly #appendServices: AppendServices
  #byName = new Map<string, TopicInfo>()
  #byId = new Map<string, TopicInfo>()

  constructor(options: ClusterOptions) {
    this.#options = options
    this.#logs = options.logs
    this.#appendServices = { clock: options.clock, producerStateManager: options.producerStateManager, logger: options.logger }
    this.nodeId = options.nodeId
    this.topicConfigDefaults = options.topicConfigDefaults
    this.#refreshTopics()
  }

  /** Every topic, sorted by name. */
  topics(): TopicInfo[] {
    return [...this.#byName.values()].sort((left, right) => (left.name < right.name ? -1 : 1))
  }

  topic(name: string): TopicInfo | undefined {
    return this.#byName.get(name)
  }

  topicById(topicId: string): TopicInfo | undefined {
    return this.#byId.get(topicId)
  }

  /** Creates `name` with broker defaults (Metadata auto-creation). */
  autoCreateTopic(name: string): CreateTopicResult {
    const result = this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], validateOnly: false })
    if (result.errorCode === ErrorCode.TopicAlreadyExists) return { ...none, topic: this.topic(name) }
    if (result.errorCode === ErrorCode.None) this.#options.logger.info('auto-created topic', { topic: name, partitions: result.topic?.partitionCount })
    return result
  }

  /** CreateTopics for one topic: applies defaults, checks replication and configs, creates unless validateOnly. */
  createTopic(request: CreateTopicRequest): CreateTopicResult {
    const fail = (errorCode: number, errorMessage: string): CreateTopicResult => ({ errorCode, errorMessage, topic: undefined })
    if (this.#byName.has(request.name)) return fail(ErrorCode.TopicAlreadyExists, `Topic '${request.name}' already exists.`)
    let partitionCount = request.numPartitions === -1 ? this.#options.numPartitions : request.numPartitions
    const replicationFactor = request.replicationFactor === -1 ? 1 : request.replicationFactor
    if (request.assignments.length > 0) {
      if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
        return fail(ErrorCode.InvalidRequest, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
      }
      const problem = this.#checkAssignments(request.assignments.map((assignment) => assignment.brokerIds), 0)
      if (problem !== undefined) return fail(ErrorCode.InvalidReplicaAssignment, problem)
      partitionCount = request.assignments.length
    }
    if (!Number.isInteger(partitionCount) || partitionCount < 1) return fail(ErrorCode.InvalidPartitions, `Number of partitions must be larger than 0 (got ${request.numPartitions}).`)
    if (replicationFactor < 1) return fail(ErrorCode.InvalidReplicationFactor, `Replication factor must be larger than 0 (got ${request.replicationFactor}).`)
    if (replicationFactor > 1) {
      return fail(ErrorCode.InvalidReplicationFactor, `Replication factor: ${replicationFactor} larger than available brokers: 1 (this is a single-node broker).`)
    }
    const configs: Record<string, string> = {}
    for (const { name, value } of request.configs) {
      if (value === null) return fail(ErrorCode.InvalidConfig, `Null value not supported for topic config ${name}.`)
      configs[name] = value
    }
    const problem = checkTopicConfigs(configs, this.topicConfigDefaults)
    if (problem !== undefined) return fail(ErrorCode.InvalidConfig, problem)
    if (request.validateOnly) {
      const nameProblem = this.#checkTopicName(request.name)
      if (nameProblem !== undefined) return fail(ErrorCode.InvalidTopicException, nameProblem)
      return { ...none, topic: { name: request.name, topicId: '00000000-0000-0000-0000-000000000000', partitionCount, configs, isInternal: false } }
    }
    try {
      const metadata = this.#logs.createTopic(request.name, { partitionCount, configs })
      this.#refreshTopics()
      return { ...none, topic: toTopicInfo(metadata) }
    } catch (error) {
      return { ...errorResultOf(error), topic: undefined }
    }
  }

  deleteTopic(name: string): ErrorResult {
    if (!this.#byName.has(name)) return { errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${name}' does not exist.` }
    try {
      this.#logs.deleteTopic(name)
      return none
    } catch (error) {
      return errorResultOf(error)
    } finally {
      this.#refreshTopics()
    }
  }

  /** CreatePartitions: grows `name` to `totalCount` partitions. */
  createPartitions(name: string, totalCount: number, assignments: readonly (readonly number[])[] | null, validateOnly: boolean): ErrorResult {
    const topic = this.#byName.get(name)
    if (topic === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${name}' does not exist.` }
    if (totalCount <= topic.partitionCount) {
      return { errorCode: ErrorCode.InvalidPartitions, errorMessage: `Topic currently has ${topic.partitionCount} partitions, which is higher than or equal to the requested ${totalCount}.` }
    }
    if (assignments !== null) {
      if (assignments.length !== totalCount - topic.partitionCount) {
        return { errorCode: ErrorCode.InvalidReplicaAssignment, errorMessage: `Increasing the number of partitions by ${totalCount - topic.partitionCount} but ${assignments.length} assignments provided.` }
      }
      const problem = this.#checkAssignments(assignments, topic.partitionCount)
      if (problem !== undefined) return { errorCode: ErrorCode.InvalidReplicaAssignment, errorMessage: problem }
    }
    if (validateOnly) return none
    try {
      this.#logs.createPartitions(name, totalCount)
      return none
    } catch (error) {
      return errorResultOf(error)
    } finally {
      this.#refreshTopics()
    }
  }

  /** Replaces the topic's config overrides after validating them. */
  setTopicConfigs(name: string, configs: Readonly<Record<string, string>>, validateOnly: boolean): ErrorResult {
    if (!this.#byName.has(name)) return { errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${name}' does not exist.` }
    const problem = checkTopicConfigs(configs, this.topicConfigDefaults)
    if (problem !== undefined) return { errorCode: ErrorCode.InvalidConfig, errorMessage: problem }
    if (validateOnly) return none
    try {
      this.#logs.setTopicConfigs(name, { ...configs })
      return none
    } catch (error) {
      return errorResultOf(error)
    } finally {
      this.#refreshTopics()
    }
  }

  /**
   * Produce to one partition: validates the batches, appends, waits for durability per acks.
   * The result comes at once unless there is something to wait for (see appendRecords).
   */
  append(request: AppendRequest): AppendResult | Promise<AppendResult> {
    const log = this.#partition(request.topic, request.partition)
    if (log === undefined) return appendFailure(ErrorCode.UnknownTopicOrPartition, `Unknown topic or partition ${request.topic}-${request.partition}`)
    return appendRecords(log, request, this.#appendServices)
  }


  /**
   * Fetch from one partition: at most `maxBytes` (the first batch whole even when larger); with
   * `maxBytes` 0, only the offsets (a fetch whose response budget is spent). read_committed
   * reads stop at the last stable offset.
   */
  read(topic: string, partition: number, fetchOffset: bigint, maxBytes: number, readCommitted = false): ReadResult {
    const log = this.#partition(topic, partition)
    if (log === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null }
    const offsets = this.#offsets(log)
    if (maxBytes <= 0) return { ...offsets, errorCode: ErrorCode.None, records: new Uint8Array(0) }
    try {
      const result = log.read(fetchOffset, maxBytes, readCommitted ? { maxOffset: offsets.lastStableOffset } : {})
      return { ...offsets, errorCode: ErrorCode.None, records: result.records }
    } catch (error) {
      const errorCode = error instanceof LogOffsetOutOfRangeError ? ErrorCode.OffsetOutOfRange : errorResultOf(error).errorCode
      return { ...offsets, errorCode, records: null }
    }
  }

  /** ListOffsets for one partition: -1 latest, -2 earliest, -3 max timestamp, else by time index. */
  listOffset(topic: string, partition: number, timestamp: bigint, readCommitted = false): ListOffsetResult {
    const log = this.#partition(topic, partition)
    if (log === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, timestamp: -1n, offset: -1n }
    const found = (at: { timestampMs: number; offset: bigint } | undefined): ListOffsetResult =>
      at === undefined ? { errorCode: ErrorCode.None, timestamp: -1n, offset: -1n } : { errorCode: ErrorCode.None, timestamp: BigInt(at.timestampMs), offset: at.offset }
    switch (timestamp) {
      case ListOffsetsTimestamp.Latest: {
        const offsets = this.#offsets(log)
        return { errorCode: ErrorCode.None, timestamp: -1n, offset: readCommitted ? offsets.lastStableOffset : offsets.highWatermark }
      }
      case ListOffsetsTimestamp.Earliest:
      case ListOffsetsTimestamp.EarliestLocal:
        return { errorCode: ErrorCode.None, timestamp: -1n, offset: log.logStartOffset }
      case ListOffsetsTimestamp.MaxTimestamp:
        return found(log.maxTimestamp())
      case ListOffsetsTimestamp.LatestTiered:
        return { errorCode: ErrorCode.None, timestamp: -1n, offset: -1n }
      default:
        if (timestamp < 0n) return { errorCode: ErrorCode.InvalidRequest, timestamp: -1n, offset: -1n }
        return found(log.offsetForTimestamp(Number(timestamp)))
    }
  }

  /** DeleteRecords for one partition; offset -1 means the high watermark. */
  deleteRecords(topic: string, partition: number, offset: bigint): { errorCode: number; lowWatermark: bigint } {
    const log = this.#partition(topic, partition)
    if (log === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, lowWatermark: -1n }
    try {
      return { errorCode: ErrorCode.None, lowWatermark: log.deleteRecordsBefore(offset === -1n ? log.highWatermark : offset) }
    } catch (error) {
      const errorCode = error instanceof LogOffsetOutOfRangeError ? ErrorCode.OffsetOutOfRange : errorResultOf(error).errorCode
      return { errorCode, lowWatermark: -1n }
    }
  }

  /** Wakes fetches waiting on a partition whose high watermark moved. */
  onHighWatermark(log: PartitionLog): void {
    this.#options.appendWaiters.notify(partitionKey(log.topic, log.partition))
  }

  #offsets(log: PartitionLog): { highWatermark: bigint; lastStableOffset: bigint; logStartOffset: bigint } {
    const highWatermark = log.highWatermark
    const lastStableOffset = this.#options.producerStateManager.lastStableOffset(log.topic, log.partition, highWatermark)
    return { highWatermark, lastStableOffset, logStartOffset: log.logStartOffset }
  }

  #partition(topic: string, partition: number): PartitionLog | undefined {
    const info = this.#byName.get(topic)
    if (info === undefined || !Number.isInteger(partition) || partition < 0 || partition >= info.partitionCount) return undefined
    try {
      return this.#logs.partition(topic, partition)
    } catch (error) {
      if (error instanceof LogError && error.code === LogErrorCode.UnknownTopicOrPartition) return undefined
      throw error
    }
  }

  #checkAssignments(assignments: readonly (readonly number[])[], firstPartition: number): string | undefined {
    for (const [index, brokerIds] of assignments.entries()) {
      if (brokerIds.length !== 1 || brokerIds[0] !== this.nodeId) {
        return `Partition ${firstPartition + index} is assigned to brokers [${brokerIds.join(', ')}]; this single-node cluster has only broker ${this.nodeId}.`
      }
    }
    return undefined
  }

  #checkTopicName(name: string): string | undefined {
    if (name.length === 0 || name.length > 249 || name === '.' || name === '..' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
      return `Topic name '${name}' is illegal: it must be 1-249 characters of ASCII alphanumerics, '.', '_' and '-', and not '.' or '..'.`
    }
    return undefined
  }

  #refreshTopics(): void {
    this.#byName = new Map()
    this.#byId = new Map()
    for (const metadata of this.#logs.listTopics()) {
      const info = toTopicInfo(metadata)
      this.#byName.set(info.name, info)
      this.#byId.set(info.topicId, info)
    }
  }
}

function toTopicInfo(metadata: TopicMetadata): TopicInfo {
  return { name: metadata.name, topicId: metadata.topicId, partitionCount: metadata.partitionCount, configs: metadata.configs, isInternal: metadata.name.startsWith('__') }
}

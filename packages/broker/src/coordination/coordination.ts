// The coordination shell: owns the group and transaction coordinators (pure state machines, see
// ../coordinator/README.md) and runs their effects against the real log and clock. It creates
// the internal topics, replays them on start, appends coordinator records, writes transaction
// markers, arms timers and completes the JoinGroup/SyncGroup requests the coordinator parks.
import { ErrorCode } from '@tributary/protocol'
import type { Clock } from '@tributary/protocol'
import { LogError, LogErrorCode } from '@tributary/log'
import type { LogManager, PartitionLog } from '@tributary/log'
import {
  GroupCoordinator, OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC, TransactionCoordinator, defaultGroupCoordinatorConfig,
  defaultTransactionCoordinatorConfig,
} from '../coordinator/index.ts'
import type {
  AppendRecordsEffect, GroupCoordinatorConfig, GroupEffect, GroupOutcome, JoinGroupRequest, JoinGroupResult, RequestId,
  SyncGroupRequest, SyncGroupResult, TransactionCoordinatorConfig, TransactionEffect, TransactionOutcome, WriteTxnMarkersEffect,
} from '../coordinator/index.ts'
import type { Cluster } from '../cluster/cluster.ts'
import type { Logger } from '../logger.ts'
import { appendCoordinatorRecords } from './log-batches.ts'
import { ProducerStates } from './producer-states.ts'
import { TimerTable } from './timer-table.ts'
import { ensureInternalTopic, replayOffsetsPartition, replayTransactionStatePartition } from './internal-topics.ts'
import { consumerLag } from './consumer-lag.ts'
import type { PartitionLag } from './consumer-lag.ts'

/** Broker settings of the coordinators (Kafka's config names in the coordinator types). */
export interface CoordinationOptions {
  readonly group?: Partial<GroupCoordinatorConfig>
  readonly transaction?: Partial<TransactionCoordinatorConfig>
}

export interface CoordinationServices {
  readonly logs: LogManager
  readonly clock: Clock
  readonly logger: Logger
}

type PendingResponse<Response> = { resolve: (response: Response) => void }

export class Coordination {
  readonly producerStates: ProducerStates
  readonly #services: CoordinationServices
  readonly #options: CoordinationOptions
  readonly #groupTimers: TimerTable
  readonly #transactionTimers: TimerTable
  readonly #pendingJoins = new Map<RequestId, PendingResponse<JoinGroupResult>>()
  readonly #pendingSyncs = new Map<RequestId, PendingResponse<SyncGroupResult>>()
  #groups: GroupCoordinator | undefined
  #transactions: TransactionCoordinator | undefined
  #nextRequestId = 0
  #closed = false

  constructor(services: CoordinationServices, options: CoordinationOptions = {}) {
    this.#services = services
    this.#options = options
    this.#groupTimers = new TimerTable(services.clock)
    this.#transactionTimers = new TimerTable(services.clock)
    this.producerStates = new ProducerStates({
      logs: services.logs,
      logger: services.logger,
      verifyTransactionalPartition: (transactionalId, producerId, producerEpoch, topic, partition) => {
        if (this.#transactions === undefined) return ErrorCode.CoordinatorLoadInProgress
        const [result] = this.#transactions.verifyPartitionsInTxn({ transactionalId, producerId, producerEpoch, topics: [{ name: topic, partitions: [partition] }] })
        return result.partitions[0].errorCode
      },
    })
  }

  get groups(): GroupCoordinator {
    if (this.#groups === undefined) throw new Error('coordination is not started')
    return this.#groups
  }

  get transactions(): TransactionCoordinator {
    if (this.#transactions === undefined) throw new Error('coordination is not started')
    return this.#transactions
  }

  /** Creates the internal topics if missing, replays them, then activates both coordinators. */
  async start(cluster: Cluster): Promise<void> {
    const { logs, clock, logger } = this.#services
    const offsetsPartitions = ensureInternalTopic(cluster, OFFSETS_TOPIC, this.#options.group?.offsetsTopicPartitionCount ?? defaultGroupCoordinatorConfig.offsetsTopicPartitionCount)
    const statePartitions = ensureInternalTopic(cluster, TRANSACTION_STATE_TOPIC,
      this.#options.transaction?.transactionStatePartitionCount ?? defaultTransactionCoordinatorConfig.transactionStatePartitionCount)
    const groups = new GroupCoordinator({ config: { ...this.#options.group, offsetsTopicPartitionCount: offsetsPartitions } })
    const transactions = new TransactionCoordinator({
      config: { ...this.#options.transaction, transactionStatePartitionCount: statePartitions },
      offsetsPartitionFor: (groupId) => groups.partitionFor(groupId),
    })
    const startedMs = clock.nowMs()
    let records = 0
    for (let partition = 0; partition < offsetsPartitions; partition++) records += replayOffsetsPartition(logs.partition(OFFSETS_TOPIC, partition), groups)
    for (let partition = 0; partition < statePartitions; partition++) records += replayTransactionStatePartition(logs.partition(TRANSACTION_STATE_TOPIC, partition), transactions)
    this.#groups = groups
    this.#transactions = transactions
    logger.info('coordinators loaded', { records, elapsedMs: clock.nowMs() - startedMs })
    await Promise.all([this.runGroupEffects(groups.activate(clock.nowMs())), this.runTransactionEffects(transactions.activate(clock.nowMs()))])
  }

  /** JoinGroup: resolves when the coordinator answers (possibly after a rebalance). */
  async joinGroup(request: Omit<JoinGroupRequest, 'requestId'>): Promise<JoinGroupResult> {
    const requestId = ++this.#nextRequestId
    const response = new Promise<JoinGroupResult>((resolve) => this.#pendingJoins.set(requestId, { resolve }))
    await this.runGroupEffects(this.groups.joinGroup({ ...request, requestId }, this.#services.clock.nowMs()))
    return response
  }

  /** SyncGroup: resolves when the leader's assignment arrived (or the rebalance failed). */
  async syncGroup(request: Omit<SyncGroupRequest, 'requestId'>): Promise<SyncGroupResult> {
    const requestId = ++this.#nextRequestId
    const response = new Promise<SyncGroupResult>((resolve) => this.#pendingSyncs.set(requestId, { resolve }))
    await this.runGroupEffects(this.groups.syncGroup({ ...request, requestId }, this.#services.clock.nowMs()))
    return response
  }

  /** Runs a group outcome's effects; resolves with its response once its appends are durable. */
  async runGroup<Response>(outcome: GroupOutcome<Response>): Promise<Response> {
    await this.runGroupEffects(outcome.effects)
    return outcome.response
  }

  /** Runs a transaction outcome's effects (markers included); resolves with its response when done. */
  async runTransaction<Response>(outcome: TransactionOutcome<Response>): Promise<Response> {
    await this.runTransactionEffects(outcome.effects)
    return outcome.response
  }

  /** Committed offset, high watermark and lag of every partition the group committed. */
  consumerLag(groupId: string): PartitionLag[] {
    return consumerLag(this.groups.committedOffsets(groupId), this.#services.logs)
  }

  /** Disarms the timers and answers parked JoinGroup/SyncGroup requests with COORDINATOR_NOT_AVAILABLE. */
  close(): void {
    this.#closed = true
    this.#groupTimers.close()
    this.#transactionTimers.close()
    const errorCode = ErrorCode.CoordinatorNotAvailable
    for (const pending of this.#pendingJoins.values()) {
      pending.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: '', members: [] })
    }
    for (const pending of this.#pendingSyncs.values()) pending.resolve({ errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) })
    this.#pendingJoins.clear()
    this.#pendingSyncs.clear()
  }

  /** Executes group effects in order; resolves once every append they made is durable. */
  runGroupEffects(effects: readonly GroupEffect[]): Promise<void> {
    const durable: Promise<void>[] = []
    for (const effect of effects) {
      switch (effect.type) {
        case 'appendRecords':
          durable.push(this.#append(effect))
          break
        case 'scheduleTimer':
          this.#groupTimers.schedule(effect.timerId, effect.deadlineMs, () => this.#fireGroupTimer(effect.timerId))
          break
        case 'cancelTimer':
          this.#groupTimers.cancel(effect.timerId)
          break
        case 'completeJoinGroup':
          this.#complete(this.#pendingJoins, effect.requestId, effect.response, durable)
          break
        case 'completeSyncGroup':
          this.#complete(this.#pendingSyncs, effect.requestId, effect.response, durable)
          break
      }
    }
    return Promise.all(durable).then(() => {})
  }

  /** Executes transaction effects in order; markers are written once the prior appends are durable. */
  runTransactionEffects(effects: readonly TransactionEffect[]): Promise<void> {
    const durable: Promise<void>[] = []
    const markers: Promise<void>[] = []
    for (const effect of effects) {
      switch (effect.type) {
        case 'appendRecords':
          durable.push(this.#append(effect))
          break
        case 'scheduleTimer':
          this.#transactionTimers.schedule(effect.timerId, effect.deadlineMs, () => this.#fireTransactionTimer(effect.timerId))
          break
        case 'cancelTimer':
          this.#transactionTimers.cancel(effect.timerId)
          break
        case 'writeTxnMarkers':
          markers.push(Promise.all(durable).then(() => this.#writeMarkers(effect)))
          break
      }
    }
    return Promise.all([...durable, ...markers]).then(() => {})
  }

  /** Writes every marker of a completed transaction, waits for their durability, then completes it. */
  async #writeMarkers(effect: WriteTxnMarkersEffect): Promise<void> {
    if (this.#closed) return
    const nowMs = this.#services.clock.nowMs()
    const marker = { producerId: effect.producerId, producerEpoch: effect.producerEpoch, coordinatorEpoch: effect.coordinatorEpoch, isCommit: effect.committed }
    const written: PartitionLog[] = []
    for (const { topic, partition } of effect.partitions) {
      if (!this.producerStates.writeMarker(topic, partition, marker, nowMs)) continue
      if (topic === OFFSETS_TOPIC) this.groups.completeTransaction(effect.producerId, effect.committed)
      written.push(this.#services.logs.partition(topic, partition))
    }
    await Promise.all(written.map((log) => log.awaitDurable()))
    if (this.#closed) return
    await this.runTransactionEffects(this.transactions.onMarkersWritten(effect.transactionalId, effect.producerId, effect.producerEpoch, this.#services.clock.nowMs()).effects)
  }

  #append(effect: AppendRecordsEffect): Promise<void> {
    const log = this.#services.logs.partition(effect.topic, effect.partition)
    appendCoordinatorRecords(log, effect.records, effect.transaction, this.#services.clock.nowMs())
    return log.awaitDurable()
  }

  #complete<Response>(pending: Map<RequestId, PendingResponse<Response>>, requestId: RequestId, response: Response, durable: readonly Promise<void>[]): void {
    const waiter = pending.get(requestId)
    if (waiter === undefined) return
    pending.delete(requestId)
    if (durable.length === 0) waiter.resolve(response)
    else void Promise.allSettled(durable).then(() => waiter.resolve(response))
  }

  #fireGroupTimer(timerId: string): void {
    if (this.#closed || this.#groups === undefined) return
    this.runGroupEffects(this.#groups.onTimer(timerId, this.#services.clock.nowMs())).catch((error: unknown) => this.#failed('group timer', error))
  }

  #fireTransactionTimer(timerId: string): void {
    if (this.#closed || this.#transactions === undefined) return
    this.runTransactionEffects(this.#transactions.onTimer(timerId, this.#services.clock.nowMs()).effects).catch((error: unknown) => this.#failed('transaction timer', error))
  }

  #failed(what: string, error: unknown): void {
    if (error instanceof LogError && error.code === LogErrorCode.Closed) return
    this.#services.logger.error(`${what} failed`, { error: (error as Error).message })
  }
}

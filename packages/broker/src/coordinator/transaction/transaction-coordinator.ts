// The transaction coordinator as a pure state machine (Kafka's TransactionCoordinator): maps
// transactional ids to producer ids/epochs, tracks the partitions of each transaction and drives
// EndTxn through Prepare* → markers → Complete*. Every call takes nowMs and returns a response
// plus effects: `__transaction_state` appends, timers and `writeTxnMarkers` requests.
import type { CoordinatorRecord } from '../effects.ts'
import { ErrorCode } from '../error-codes.ts'
import { partitionForKey } from '../record-codec.ts'
import { decideNextEpoch, isExpectedProducerValid } from './producer-epoch.ts'
import { decodeTransactionRecord, producerIdBlockRecord, transactionRecord } from './transaction-records.ts'
import {
  defaultTransactionCoordinatorConfig, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TRANSACTION_STATE_TOPIC, TransactionState,
} from './transaction-types.ts'
import type {
  AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, DescribedTransaction, EndTxnRequest, InitProducerIdRequest,
  InitProducerIdResult, ListedTransaction, PartitionResultTopic, TransactionCoordinatorConfig, TransactionEffect,
  TransactionMetadata, TransactionOutcome,
} from './transaction-types.ts'

export interface TransactionCoordinatorOptions {
  readonly config?: Partial<TransactionCoordinatorConfig>
  /** `__consumer_offsets` partition of a group (the group coordinator's partitionFor). */
  readonly offsetsPartitionFor?: (groupId: string) => number
}

const EXPIRATION_TIMER = 'transaction:expiration'
const OFFSETS_TOPIC = '__consumer_offsets'

/**
 * @example
 * const coordinator = new TransactionCoordinator()
 * const { response } = coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 }, nowMs)
 */
export class TransactionCoordinator {
  readonly config: TransactionCoordinatorConfig
  readonly #transactions = new Map<string, TransactionMetadata>()
  readonly #offsetsPartitionFor: (groupId: string) => number
  #nextProducerId = 0
  #producerIdBlockEnd = 0
  #effects: TransactionEffect[] = []
  #nowMs = 0

  constructor(options: TransactionCoordinatorOptions = {}) {
    this.config = { ...defaultTransactionCoordinatorConfig, ...options.config }
    this.#offsetsPartitionFor = options.offsetsPartitionFor ?? ((groupId) => partitionForKey(groupId, 50))
  }

  /** The `__transaction_state` partition holding this transactional id. */
  partitionFor(transactionalId: string): number {
    return partitionForKey(transactionalId, this.config.transactionStatePartitionCount)
  }

  initProducerId(request: InitProducerIdRequest, nowMs: number): TransactionOutcome<InitProducerIdResult> {
    return this.#run(nowMs, () => {
      const fail = (errorCode: number) => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH })
      if (request.transactionalId === null) return { errorCode: ErrorCode.None, producerId: this.#allocateProducerId(), producerEpoch: 0 }
      if (request.transactionalId === '') return fail(ErrorCode.InvalidRequest)
      if (request.transactionTimeoutMs <= 0 || request.transactionTimeoutMs > this.config.transactionMaxTimeoutMs) {
        return fail(ErrorCode.InvalidTransactionTimeout)
      }
      const metadata = this.#transactions.get(request.transactionalId) ?? this.#create(request.transactionalId, request.transactionTimeoutMs)
      const expected = request.producerId === NO_PRODUCER_ID ? null : { producerId: request.producerId, producerEpoch: request.producerEpoch }
      if (expected !== null && !isExpectedProducerValid(metadata, expected.producerId, expected.producerEpoch)) return fail(ErrorCode.ProducerFenced)
      switch (metadata.state) {
        case TransactionState.PrepareCommit:
        case TransactionState.PrepareAbort:
          return fail(ErrorCode.ConcurrentTransactions)
        case TransactionState.Ongoing:
          // Fence the current producer: abort its transaction under a bumped epoch; the client
          // retries and gets another bump once the abort completed.
          this.#prepareEnd(metadata, metadata.producerEpoch + 1, false)
          metadata.lastProducerEpoch = NO_PRODUCER_EPOCH
          return fail(ErrorCode.ConcurrentTransactions)
        default:
          break
      }
      const decision = decideNextEpoch(metadata, expected?.producerEpoch ?? null)
      if (decision.kind === 'error') return fail(decision.errorCode)
      if (decision.kind === 'rotate') {
        metadata.previousProducerId = metadata.producerId
        metadata.producerId = this.#allocateProducerId()
        metadata.producerEpoch = 0
        metadata.lastProducerEpoch = decision.lastProducerEpoch
      } else {
        metadata.producerEpoch = decision.producerEpoch
        metadata.lastProducerEpoch = decision.lastProducerEpoch
      }
      metadata.transactionTimeoutMs = request.transactionTimeoutMs
      this.#transition(metadata, TransactionState.Empty)
      metadata.partitions = new Map()
      metadata.transactionStartTimeMs = -1
      this.#store(metadata)
      return { errorCode: ErrorCode.None, producerId: metadata.producerId, producerEpoch: metadata.producerEpoch }
    })
  }

  /** AddPartitionsToTxn (v3 and below, or one transaction of a v4+ batch); the error applies to every partition. */
  addPartitionsToTxn(request: AddPartitionsToTxnRequest, nowMs: number): TransactionOutcome<number> {
    return this.#run(nowMs, () => this.#addPartitions(request.transactionalId, request.producerId, request.producerEpoch,
      request.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.name, partition })))))
  }

  /** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
  addOffsetsToTxn(request: AddOffsetsToTxnRequest, nowMs: number): TransactionOutcome<number> {
    return this.#run(nowMs, () => this.#addPartitions(request.transactionalId, request.producerId, request.producerEpoch,
      [{ topic: OFFSETS_TOPIC, partition: this.#offsetsPartitionFor(request.groupId) }]))
  }

  /** AddPartitionsToTxn v4+ with verifyOnly (KIP-890): are these partitions already in the ongoing transaction? */
  verifyPartitionsInTxn(request: AddPartitionsToTxnRequest): PartitionResultTopic[] {
    const metadata = this.#transactions.get(request.transactionalId)
    return request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partitionIndex) => {
        let errorCode: number = ErrorCode.None
        if (metadata === undefined || metadata.producerId !== request.producerId) errorCode = ErrorCode.InvalidProducerIdMapping
        else if (metadata.producerEpoch !== request.producerEpoch) errorCode = ErrorCode.ProducerFenced
        else if (metadata.state !== TransactionState.Ongoing || !metadata.partitions.get(topic.name)?.has(partitionIndex)) errorCode = ErrorCode.InvalidTxnState
        return { partitionIndex, errorCode }
      }),
    }))
  }

  endTxn(request: EndTxnRequest, nowMs: number): TransactionOutcome<number> {
    return this.#run(nowMs, () => {
      if (request.transactionalId === '') return ErrorCode.InvalidRequest
      const metadata = this.#transactions.get(request.transactionalId)
      if (metadata === undefined || metadata.producerId !== request.producerId) return ErrorCode.InvalidProducerIdMapping
      if (metadata.producerEpoch !== request.producerEpoch) return ErrorCode.ProducerFenced
      const wantsCommit = request.committed
      switch (metadata.state) {
        case TransactionState.Ongoing:
          this.#prepareEnd(metadata, metadata.producerEpoch, wantsCommit)
          return ErrorCode.None
        case TransactionState.CompleteCommit:
          return wantsCommit ? ErrorCode.None : ErrorCode.InvalidTxnState
        case TransactionState.CompleteAbort:
          return wantsCommit ? ErrorCode.InvalidTxnState : ErrorCode.None
        case TransactionState.PrepareCommit:
          return wantsCommit ? ErrorCode.ConcurrentTransactions : ErrorCode.InvalidTxnState
        case TransactionState.PrepareAbort:
          return wantsCommit ? ErrorCode.InvalidTxnState : ErrorCode.ConcurrentTransactions
        default:
          return ErrorCode.InvalidTxnState
      }
    })
  }

  /** The shell wrote every marker of a `writeTxnMarkers` effect: complete the transaction. */
  onMarkersWritten(transactionalId: string, producerId: number, producerEpoch: number, nowMs: number): TransactionOutcome<void> {
    return this.#run(nowMs, () => {
      const metadata = this.#transactions.get(transactionalId)
      if (metadata === undefined || metadata.producerId !== producerId || metadata.producerEpoch !== producerEpoch) return
      this.#complete(metadata)
    })
  }

  /** A timer requested by a `scheduleTimer` effect fired. */
  onTimer(timerId: string, nowMs: number): TransactionOutcome<void> {
    return this.#run(nowMs, () => {
      if (timerId === EXPIRATION_TIMER) {
        this.#expireTransactionalIds()
        this.#schedule(EXPIRATION_TIMER, this.config.transactionalIdExpirationCheckIntervalMs)
        return
      }
      const metadata = this.#transactions.get(timeoutTimerTransactionalId(timerId) ?? '')
      if (metadata === undefined || metadata.state !== TransactionState.Ongoing) return
      if (metadata.transactionStartTimeMs + metadata.transactionTimeoutMs > nowMs) return
      // Transaction timeout: fence the producer with a bumped epoch and abort.
      this.#prepareEnd(metadata, metadata.producerEpoch + 1, false)
      metadata.lastProducerEpoch = NO_PRODUCER_EPOCH
    })
  }

  describeTransactions(transactionalIds: readonly string[]): DescribedTransaction[] {
    return transactionalIds.map((transactionalId) => {
      const metadata = this.#transactions.get(transactionalId)
      const errorCode = transactionalId === '' ? ErrorCode.InvalidRequest
        : metadata === undefined || metadata.state === TransactionState.Dead ? ErrorCode.TransactionalIdNotFound : ErrorCode.None
      if (metadata === undefined || errorCode !== ErrorCode.None) {
        return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] }
      }
      return {
        errorCode, transactionalId, transactionState: metadata.state, transactionTimeoutMs: metadata.transactionTimeoutMs,
        transactionStartTimeMs: metadata.transactionStartTimeMs, producerId: metadata.producerId, producerEpoch: metadata.producerEpoch,
        topics: [...metadata.partitions].map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) })),
      }
    })
  }

  /** ListTransactions: filters are ANDed; empty filters match all; durationFilterMs -1 disables (v1+). */
  listTransactions(stateFilters: readonly string[], producerIdFilters: readonly number[], durationFilterMs: number, nowMs: number):
    { transactionStates: ListedTransaction[]; unknownStateFilters: string[] } {
    const known = new Set<string>(Object.values(TransactionState))
    const unknownStateFilters = stateFilters.filter((state) => !known.has(state))
    const states = new Set(stateFilters)
    const producerIds = new Set(producerIdFilters)
    const transactionStates = [...this.#transactions.values()]
      .filter((metadata) => metadata.state !== TransactionState.Dead)
      .filter((metadata) => states.size === 0 || states.has(metadata.state))
      .filter((metadata) => producerIds.size === 0 || producerIds.has(metadata.producerId))
      .filter((metadata) => durationFilterMs < 0 || (metadata.state === TransactionState.Ongoing && nowMs - metadata.transactionStartTimeMs > durationFilterMs))
      .map((metadata) => ({ transactionalId: metadata.transactionalId, producerId: metadata.producerId, transactionState: metadata.state }))
    return { transactionStates, unknownStateFilters }
  }

  /** Rebuilds state from one `__transaction_state` record, in log order. */
  replay(record: CoordinatorRecord): void {
    const decoded = decodeTransactionRecord(record)
    if (decoded.type === 'producerIdBlock') {
      this.#producerIdBlockEnd = Math.max(this.#producerIdBlockEnd, decoded.blockEnd)
      this.#nextProducerId = this.#producerIdBlockEnd // unused ids of the last block are skipped, never reused
      return
    }
    if (decoded.value === null) this.#transactions.delete(decoded.transactionalId)
    else this.#transactions.set(decoded.transactionalId, decoded.value)
  }

  /** Starts the coordinator after replay: resumes marker writing, re-arms timeouts and the expiration check. */
  activate(nowMs: number): readonly TransactionEffect[] {
    return this.#run(nowMs, () => {
      for (const metadata of this.#transactions.values()) {
        if (metadata.state === TransactionState.PrepareCommit || metadata.state === TransactionState.PrepareAbort) {
          this.#emitMarkers(metadata, metadata.state === TransactionState.PrepareCommit)
        } else if (metadata.state === TransactionState.Ongoing) {
          this.#scheduleTimeout(metadata)
        }
      }
      this.#schedule(EXPIRATION_TIMER, this.config.transactionalIdExpirationCheckIntervalMs)
    }).effects
  }

  #addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: Array<{ topic: string; partition: number }>): number {
    if (transactionalId === '') return ErrorCode.InvalidRequest
    const metadata = this.#transactions.get(transactionalId)
    if (metadata === undefined || metadata.producerId !== producerId) return ErrorCode.InvalidProducerIdMapping
    if (metadata.producerEpoch !== producerEpoch) return ErrorCode.ProducerFenced
    if (metadata.state === TransactionState.PrepareCommit || metadata.state === TransactionState.PrepareAbort) return ErrorCode.ConcurrentTransactions
    const isNew = partitions.some(({ topic, partition }) => !metadata.partitions.get(topic)?.has(partition))
    if (metadata.state === TransactionState.Ongoing && !isNew) return ErrorCode.None
    if (metadata.state !== TransactionState.Ongoing) {
      metadata.partitions = new Map()
      metadata.transactionStartTimeMs = this.#nowMs
      this.#transition(metadata, TransactionState.Ongoing)
      this.#scheduleTimeout(metadata)
    } else {
      metadata.transactionLastUpdateTimeMs = this.#nowMs
    }
    for (const { topic, partition } of partitions) {
      const set = metadata.partitions.get(topic) ?? new Set<number>()
      set.add(partition)
      metadata.partitions.set(topic, set)
    }
    this.#store(metadata)
    return ErrorCode.None
  }

  /** Ongoing → PrepareCommit/PrepareAbort (with `producerEpoch`), then markers. */
  #prepareEnd(metadata: TransactionMetadata, producerEpoch: number, commit: boolean): void {
    metadata.producerEpoch = producerEpoch
    this.#transition(metadata, commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort)
    this.#effects.push({ type: 'cancelTimer', timerId: timeoutTimerId(metadata.transactionalId) })
    this.#store(metadata)
    if (metadata.partitions.size === 0) this.#complete(metadata)
    else this.#emitMarkers(metadata, commit)
  }

  #complete(metadata: TransactionMetadata): void {
    if (metadata.state === TransactionState.PrepareCommit) this.#transition(metadata, TransactionState.CompleteCommit)
    else if (metadata.state === TransactionState.PrepareAbort) this.#transition(metadata, TransactionState.CompleteAbort)
    else return
    this.#store(metadata)
  }

  #emitMarkers(metadata: TransactionMetadata, committed: boolean): void {
    this.#effects.push({
      type: 'writeTxnMarkers', transactionalId: metadata.transactionalId, producerId: metadata.producerId,
      producerEpoch: metadata.producerEpoch, coordinatorEpoch: this.config.coordinatorEpoch, committed,
      partitions: [...metadata.partitions].flatMap(([topic, partitions]) => [...partitions].map((partition) => ({ topic, partition }))),
    })
  }

  #expireTransactionalIds(): void {
    const expirable: readonly TransactionState[] = [TransactionState.Empty, TransactionState.CompleteCommit, TransactionState.CompleteAbort]
    for (const metadata of [...this.#transactions.values()]) {
      if (!expirable.includes(metadata.state)) continue
      if (this.#nowMs - metadata.transactionLastUpdateTimeMs < this.config.transactionalIdExpirationMs) continue
      metadata.state = TransactionState.Dead
      this.#transactions.delete(metadata.transactionalId)
      this.#append(metadata.transactionalId, transactionRecord(metadata.transactionalId, null))
    }
  }

  #create(transactionalId: string, transactionTimeoutMs: number): TransactionMetadata {
    const metadata: TransactionMetadata = {
      transactionalId, producerId: this.#allocateProducerId(), previousProducerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH,
      lastProducerEpoch: NO_PRODUCER_EPOCH, transactionTimeoutMs, state: TransactionState.Empty, partitions: new Map(),
      transactionStartTimeMs: -1, transactionLastUpdateTimeMs: this.#nowMs,
    }
    this.#transactions.set(transactionalId, metadata)
    return metadata
  }

  /** Producer ids come from blocks reserved durably in the log, so none is handed out twice across restarts. */
  #allocateProducerId(): number {
    if (this.#nextProducerId >= this.#producerIdBlockEnd) {
      const blockStart = this.#producerIdBlockEnd
      this.#producerIdBlockEnd = blockStart + this.config.producerIdBlockSize
      this.#nextProducerId = blockStart
      this.#effects.push({
        type: 'appendRecords', topic: TRANSACTION_STATE_TOPIC, partition: 0,
        records: [producerIdBlockRecord(blockStart, this.#producerIdBlockEnd)], transaction: null,
      })
    }
    return this.#nextProducerId++
  }

  #transition(metadata: TransactionMetadata, state: TransactionState): void {
    metadata.state = state
    metadata.transactionLastUpdateTimeMs = this.#nowMs
  }

  #store(metadata: TransactionMetadata): void {
    this.#append(metadata.transactionalId, transactionRecord(metadata.transactionalId, metadata))
  }

  #append(transactionalId: string, record: CoordinatorRecord): void {
    this.#effects.push({ type: 'appendRecords', topic: TRANSACTION_STATE_TOPIC, partition: this.partitionFor(transactionalId), records: [record], transaction: null })
  }

  #scheduleTimeout(metadata: TransactionMetadata): void {
    this.#schedule(timeoutTimerId(metadata.transactionalId), metadata.transactionStartTimeMs + metadata.transactionTimeoutMs - this.#nowMs)
  }

  #schedule(timerId: string, delayMs: number): void {
    this.#effects.push({ type: 'scheduleTimer', timerId, deadlineMs: this.#nowMs + Math.max(0, delayMs) })
  }

  #run<Response>(nowMs: number, action: () => Response): TransactionOutcome<Response> {
    this.#nowMs = nowMs
    this.#effects = []
    const response = action()
    const effects = this.#effects
    this.#effects = []
    return { response, effects }
  }
}

function timeoutTimerId(transactionalId: string): string {
  return `transaction:timeout:${transactionalId}`
}

function timeoutTimerTransactionalId(timerId: string): string | null {
  const prefix = 'transaction:timeout:'
  return timerId.startsWith(prefix) ? timerId.slice(prefix.length) : null
}

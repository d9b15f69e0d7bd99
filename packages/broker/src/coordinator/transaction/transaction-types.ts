// Inputs, outputs, state and effects of the transaction coordinator, named after Kafka's
// InitProducerId / AddPartitionsToTxn / AddOffsetsToTxn / EndTxn / DescribeTransactions /
// ListTransactions fields and TransactionMetadata.
import type { AppendRecordsEffect, TimerEffect } from '../effects.ts'

export const TransactionState = {
  Empty: 'Empty',
  Ongoing: 'Ongoing',
  PrepareCommit: 'PrepareCommit',
  PrepareAbort: 'PrepareAbort',
  CompleteCommit: 'CompleteCommit',
  CompleteAbort: 'CompleteAbort',
  /** Transient: an InitProducerId fencing an ongoing transaction; it becomes PrepareAbort in the same step. */
  PrepareEpochFence: 'PrepareEpochFence',
  Dead: 'Dead',
} as const
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState]

export const TRANSACTION_STATE_TOPIC = '__transaction_state'
export const NO_PRODUCER_ID = -1
export const NO_PRODUCER_EPOCH = -1
/** Kafka's Short.MaxValue: producer epochs are int16. */
export const PRODUCER_EPOCH_MAX = 32_767

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms */
  readonly transactionMaxTimeoutMs: number
  /** transactional.id.expiration.ms */
  readonly transactionalIdExpirationMs: number
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  readonly transactionalIdExpirationCheckIntervalMs: number
  /** transaction.state.log.num.partitions */
  readonly transactionStatePartitionCount: number
  /** Producer ids reserved per durable counter record. */
  readonly producerIdBlockSize: number
  /** Our single node's coordinator epoch, stamped on markers. */
  readonly coordinatorEpoch: number
}

export const defaultTransactionCoordinatorConfig: TransactionCoordinatorConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 7 * 24 * 60 * 60 * 1000,
  transactionalIdExpirationCheckIntervalMs: 3_600_000,
  transactionStatePartitionCount: 50,
  producerIdBlockSize: 1000,
  coordinatorEpoch: 0,
}

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface TransactionMetadata {
  readonly transactionalId: string
  producerId: number
  /** The producer id before the last rotation (epoch exhaustion), for KIP-360 retries. */
  previousProducerId: number
  producerEpoch: number
  /** The epoch before the last client-requested bump, so a retried InitProducerId gets the same answer. */
  lastProducerEpoch: number
  transactionTimeoutMs: number
  state: TransactionState
  /** topic → partitions in the transaction. */
  partitions: Map<string, Set<number>>
  transactionStartTimeMs: number
  transactionLastUpdateTimeMs: number
}

export interface InitProducerIdRequest {
  /** null for an idempotent (non-transactional) producer. */
  readonly transactionalId: string | null
  readonly transactionTimeoutMs: number
  /** v3+ (KIP-360): the producer's current id and epoch, or -1/-1. */
  readonly producerId: number
  readonly producerEpoch: number
}

export interface InitProducerIdResult {
  readonly errorCode: number
  readonly producerId: number
  readonly producerEpoch: number
}

export interface AddPartitionsToTxnRequest {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly topics: ReadonlyArray<{ readonly name: string; readonly partitions: readonly number[] }>
}

export interface PartitionResultTopic {
  readonly name: string
  readonly partitions: ReadonlyArray<{ partitionIndex: number; errorCode: number }>
}

export interface AddOffsetsToTxnRequest {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly groupId: string
}

export interface EndTxnRequest {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  /** true = commit, false = abort. */
  readonly committed: boolean
}

export interface DescribedTransaction {
  readonly errorCode: number
  readonly transactionalId: string
  readonly transactionState: string
  readonly transactionTimeoutMs: number
  readonly transactionStartTimeMs: number
  readonly producerId: number
  readonly producerEpoch: number
  readonly topics: ReadonlyArray<{ topic: string; partitions: number[] }>
}

export interface ListedTransaction {
  readonly transactionalId: string
  readonly producerId: number
  readonly transactionState: string
}

/** Write a COMMIT/ABORT control batch to every partition, then call `onMarkersWritten`. */
export interface WriteTxnMarkersEffect {
  readonly type: 'writeTxnMarkers'
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly coordinatorEpoch: number
  readonly committed: boolean
  readonly partitions: readonly TopicPartition[]
}

export type TransactionEffect = AppendRecordsEffect | TimerEffect | WriteTxnMarkersEffect

export interface TransactionOutcome<Response> {
  readonly response: Response
  readonly effects: readonly TransactionEffect[]
}

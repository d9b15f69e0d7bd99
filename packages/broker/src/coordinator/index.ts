// Public surface of the pure coordinators, for the broker shell and handlers.
export { ErrorCode } from './error-codes.ts'
export type {
  AppendRecordsEffect, CancelTimerEffect, CoordinatorRecord, RequestId, ScheduleTimerEffect, TimerEffect, TransactionalAppend,
} from './effects.ts'
export { CoordinatorRecordError, partitionForKey } from './record-codec.ts'

export { GroupCoordinator } from './group/group-coordinator.ts'
export type { GroupCoordinatorOptions } from './group/group-coordinator.ts'
export { decodeGroupRecord } from './group/group-records.ts'
export type { GroupRecord } from './group/group-records.ts'
export { defaultGroupCoordinatorConfig, GroupState, OFFSETS_TOPIC } from './group/group-types.ts'
export type * from './group/group-types.ts'

export { PartitionProducerState, incrementSequence } from './producer-state/partition-producer-state.ts'
export type {
  AbortedTransaction, AppendCheck, BatchMetadata, CompletedTransaction, EndTransactionMarker, LoggedBatch, PartitionProducerStateOptions,
  ProducerBatchHeader, ProducerEntry,
} from './producer-state/partition-producer-state.ts'

export { TransactionCoordinator } from './transaction/transaction-coordinator.ts'
export type { TransactionCoordinatorOptions } from './transaction/transaction-coordinator.ts'
export { decodeTransactionRecord } from './transaction/transaction-records.ts'
export {
  defaultTransactionCoordinatorConfig, PRODUCER_EPOCH_MAX, TRANSACTION_STATE_TOPIC, TransactionState,
} from './transaction/transaction-types.ts'
export type * from './transaction/transaction-types.ts'

// Seam for idempotent and transactional produce and for read_committed reads. The coordinator
// work (sequence numbers per producerId/epoch, fencing, open transactions, aborted-transaction
// index; see coordinator/producer-state/) plugs in here. Until then every batch is accepted
// as-is (what a non-idempotent producer expects, and what an idempotent one tolerates while it
// never retries) and the last stable offset is the high watermark.
import type { RecordBatchHeader } from '@tributary/protocol'

/** The verdict on one producer batch. */
export type ProducerCheck =
  | { readonly kind: 'append' }
  /** A retry of a batch already in the log: answer success with its original offset, append nothing. */
  | { readonly kind: 'duplicate'; readonly baseOffset: bigint }
  /** Refuse the batch: OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, PRODUCER_FENCED... */
  | { readonly kind: 'error'; readonly errorCode: number; readonly errorMessage: string }

export interface ProducerStateManager {
  /** Called before appending a batch with producerId >= 0. */
  check(topic: string, partition: number, header: RecordBatchHeader, transactionalId: string | null): ProducerCheck
  /**
   * Called before an append to a partition whose log holds no batch: a manager that loads its
   * state lazily from the log can start it empty now rather than scan the log on first use.
   */
  prepare?(topic: string, partition: number): void
  /** Called after the batch is appended at `baseOffset`. */
  onAppend(topic: string, partition: number, header: RecordBatchHeader, baseOffset: bigint): void
  /** The offset below which every transaction is decided (read_committed reads stop there). */
  lastStableOffset(topic: string, partition: number, highWatermark: bigint): bigint
  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset), listed in read_committed Fetch responses. */
  abortedTransactions?(topic: string, partition: number, fetchOffset: bigint, upperBoundOffset: bigint): readonly AbortedTransaction[]
}

/** An aborted transaction as a read_committed Fetch lists it: its producer and first offset. */
export interface AbortedTransaction {
  readonly producerId: bigint
  readonly firstOffset: bigint
}

/** Accepts every batch; no transactions are ever open. */
export const acceptAllProducerStateManager: ProducerStateManager = {
  check: () => ({ kind: 'append' }),
  onAppend: () => {},
  lastStableOffset: (_topic, _partition, highWatermark) => highWatermark,
}

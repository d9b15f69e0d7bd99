// Seam for idempotent and transactional produce. The coordinator work (sequence numbers per
// producerId/epoch, fencing, transaction state) plugs in here; until then every batch is
// accepted as-is, which is what a non-idempotent producer expects and what an idempotent one
// tolerates when it never retries.
import type { RecordBatchHeader } from '@tributary/protocol'

/** The verdict on one batch: append it, or answer with a Kafka error code. */
export type ProducerCheck = { readonly ok: true } | { readonly ok: false; readonly errorCode: number; readonly errorMessage: string }

export interface ProducerStateManager {
  /**
   * Called before appending a batch with producerId >= 0. May reject it with
   * OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, DUPLICATE_SEQUENCE_NUMBER...
   */
  check(topic: string, partition: number, header: RecordBatchHeader, transactionalId: string | null): ProducerCheck
  /** Called after the batch is appended at `baseOffset`. */
  onAppend(topic: string, partition: number, header: RecordBatchHeader, baseOffset: bigint): void
}

/** Accepts every batch (no sequence checks yet). */
export const acceptAllProducerStateManager: ProducerStateManager = {
  check: () => ({ ok: true }),
  onAppend: () => {},
}

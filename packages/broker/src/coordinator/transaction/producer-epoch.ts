// How InitProducerId moves a transactional id's producerId/epoch (Kafka's TransactionMetadata
// prepareIncrementProducerEpoch / prepareProducerIdRotation and the KIP-360 checks), as pure
// decisions over the current metadata.
import { ErrorCode } from '../error-codes.ts'
import { NO_PRODUCER_EPOCH, PRODUCER_EPOCH_MAX } from './transaction-types.ts'
import type { TransactionMetadata } from './transaction-types.ts'

export type EpochDecision =
  | { readonly kind: 'error'; readonly errorCode: number }
  /** Keep the producer id; epoch and lastProducerEpoch become these. */
  | { readonly kind: 'bump'; readonly producerEpoch: number; readonly lastProducerEpoch: number }
  /** The epoch space is used up: continue with a new producer id at epoch 0. */
  | { readonly kind: 'rotate'; readonly lastProducerEpoch: number }

/** Epochs at or past this are exhausted: one bump is kept in reserve for fencing. */
export function isEpochExhausted(producerEpoch: number): boolean {
  return producerEpoch >= PRODUCER_EPOCH_MAX - 1
}

/**
 * A provided producer id/epoch (KIP-360) is acceptable when the metadata is fresh, the id is the
 * current one, or the id is the one just rotated away from with an exhausted epoch (a retry).
 */
export function isExpectedProducerValid(metadata: TransactionMetadata, producerId: number, producerEpoch: number): boolean {
  return metadata.producerEpoch === NO_PRODUCER_EPOCH || producerId === metadata.producerId ||
    (producerId === metadata.previousProducerId && isEpochExhausted(producerEpoch))
}

/** The next id/epoch for a transactional id with no transaction in flight. */
export function decideNextEpoch(metadata: TransactionMetadata, expectedEpoch: number | null): EpochDecision {
  if (isEpochExhausted(metadata.producerEpoch) && (expectedEpoch === null || expectedEpoch === metadata.producerEpoch)) {
    return { kind: 'rotate', lastProducerEpoch: expectedEpoch === null ? NO_PRODUCER_EPOCH : metadata.producerEpoch }
  }
  const bumped = metadata.producerEpoch + 1
  if (expectedEpoch === null) return { kind: 'bump', producerEpoch: bumped, lastProducerEpoch: NO_PRODUCER_EPOCH }
  if (metadata.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === metadata.producerEpoch) {
    return { kind: 'bump', producerEpoch: bumped, lastProducerEpoch: metadata.producerEpoch }
  }
  // A retry of a bump whose response was lost: answer the same epoch again.
  if (expectedEpoch === metadata.lastProducerEpoch) {
    return { kind: 'bump', producerEpoch: metadata.producerEpoch, lastProducerEpoch: metadata.lastProducerEpoch }
  }
  return { kind: 'error', errorCode: ErrorCode.ProducerFenced }
}

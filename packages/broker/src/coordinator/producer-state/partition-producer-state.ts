// Idempotent and transactional producer state of one partition (Kafka's ProducerStateManager /
// ProducerAppendInfo, ≥ 2.5 semantics): per producerId the epoch and the metadata of the last
// five batches (for duplicate detection and sequence checks), the first offset of its open
// transaction (for the last stable offset), and the index of aborted transactions (for
// read_committed fetches). Pure: the log calls `check` before and `append` after an append.
import { ErrorCode } from '../error-codes.ts'

export const NO_PRODUCER_ID = -1
export const NO_PRODUCER_EPOCH = -1
const INT32_MAX = 2_147_483_647

/** The producer fields of a record batch header. */
export interface ProducerBatchHeader {
  readonly producerId: number
  readonly producerEpoch: number
  readonly baseSequence: number
  /** recordCount - 1 */
  readonly lastOffsetDelta: number
  readonly isTransactional: boolean
  /** The batch's max timestamp; producers idle longer than producerIdExpirationMs are forgotten. */
  readonly maxTimestampMs: number
}

export interface BatchMetadata {
  readonly firstSequence: number
  readonly lastSequence: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly timestampMs: number
}

export interface ProducerEntry {
  readonly producerId: number
  producerEpoch: number
  /** Oldest first, at most maxBatchesPerProducer. */
  batches: BatchMetadata[]
  currentTransactionFirstOffset: number | null
  coordinatorEpoch: number
  lastTimestampMs: number
}

export type AppendCheck =
  | { readonly kind: 'append' }
  /** A retry of a batch already in the log: answer success with the original offsets, append nothing. */
  | { readonly kind: 'duplicate'; readonly firstOffset: number; readonly lastOffset: number; readonly timestampMs: number }
  | { readonly kind: 'error'; readonly errorCode: number; readonly message: string }

export interface EndTransactionMarker {
  readonly producerId: number
  readonly producerEpoch: number
  readonly coordinatorEpoch: number
  readonly isCommit: boolean
}

export interface CompletedTransaction {
  readonly producerId: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly isAborted: boolean
}

export interface AbortedTransaction {
  readonly producerId: number
  readonly firstOffset: number
  readonly lastOffset: number
  /** The partition's last stable offset once this transaction completed. */
  readonly lastStableOffset: number
}

/** A batch read back from the log, for `rebuildFrom`. Control batches carry the marker. */
export interface LoggedBatch extends ProducerBatchHeader {
  readonly baseOffset: number
  readonly control: { readonly isCommit: boolean; readonly coordinatorEpoch: number } | null
}

export interface PartitionProducerStateOptions {
  /** Kafka keeps 5 (max.in.flight.requests.per.connection for idempotence). */
  readonly maxBatchesPerProducer?: number
  /** producer.id.expiration.ms (default 1 day). */
  readonly producerIdExpirationMs?: number
  /** Bound on remembered aborted transactions (oldest dropped first). */
  readonly abortedTransactionsMax?: number
}

export class PartitionProducerState {
  readonly #producers = new Map<number, ProducerEntry>()
  /** Open transactions: first offset → producerId. */
  readonly #ongoing = new Map<number, number>()
  #aborted: AbortedTransaction[] = []
  readonly #maxBatches: number
  readonly #expirationMs: number
  readonly #abortedMax: number

  constructor(options: PartitionProducerStateOptions = {}) {
    this.#maxBatches = options.maxBatchesPerProducer ?? 5
    this.#expirationMs = options.producerIdExpirationMs ?? 86_400_000
    this.#abortedMax = options.abortedTransactionsMax ?? 100_000
  }

  /** Validates a client batch before it is appended. Non-idempotent batches (producerId -1) always pass. */
  check(header: ProducerBatchHeader): AppendCheck {
    if (header.producerId === NO_PRODUCER_ID) return { kind: 'append' }
    const entry = this.#producers.get(header.producerId)
    if (entry === undefined) return { kind: 'append' } // a producer we do not know may start at any sequence
    const lastSequence = incrementSequence(header.baseSequence, header.lastOffsetDelta)
    if (header.producerEpoch === entry.producerEpoch) {
      const duplicate = entry.batches.find((batch) => batch.firstSequence === header.baseSequence && batch.lastSequence === lastSequence)
      if (duplicate !== undefined) {
        return { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, timestampMs: duplicate.timestampMs }
      }
    }
    if (header.producerEpoch < entry.producerEpoch) {
      return error(ErrorCode.InvalidProducerEpoch, `epoch ${header.producerEpoch} of producer ${header.producerId} is older than ${entry.producerEpoch}`)
    }
    if (header.producerEpoch !== entry.producerEpoch) {
      // A bumped epoch restarts sequences at 0.
      if (header.baseSequence !== 0 && entry.producerEpoch !== NO_PRODUCER_EPOCH) {
        return error(ErrorCode.OutOfOrderSequenceNumber, `producer ${header.producerId} must start epoch ${header.producerEpoch} at sequence 0, got ${header.baseSequence}`)
      }
    } else {
      const currentLastSequence = entry.batches.at(-1)?.lastSequence ?? -1
      if (entry.producerEpoch !== NO_PRODUCER_EPOCH && !inSequence(currentLastSequence, header.baseSequence)) {
        return error(ErrorCode.OutOfOrderSequenceNumber,
          `out of order sequence for producer ${header.producerId}: expected ${incrementSequence(currentLastSequence, 1)}, got ${header.baseSequence}`)
      }
    }
    if (entry.currentTransactionFirstOffset !== null && !header.isTransactional) {
      return error(ErrorCode.InvalidTxnState, `producer ${header.producerId} has an open transaction but wrote a non-transactional batch`)
    }
    return { kind: 'append' }
  }

  /** Records a batch appended at `firstOffset` (call only after `check` said append, or when loading). */
  append(header: ProducerBatchHeader, firstOffset: number): void {
    if (header.producerId === NO_PRODUCER_ID) return
    const entry = this.#entry(header.producerId)
    updateEpoch(entry, header.producerEpoch)
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: incrementSequence(header.baseSequence, header.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + header.lastOffsetDelta,
      timestampMs: header.maxTimestampMs,
    })
    if (entry.batches.length > this.#maxBatches) entry.batches.shift()
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, header.maxTimestampMs)
    if (header.isTransactional && entry.currentTransactionFirstOffset === null) {
      entry.currentTransactionFirstOffset = firstOffset
      this.#ongoing.set(firstOffset, header.producerId)
    }
  }

  /** Validates a commit/abort marker from the transaction coordinator before it is written. */
  checkEndTransactionMarker(marker: EndTransactionMarker): { errorCode: number } {
    const entry = this.#producers.get(marker.producerId)
    if (entry === undefined) return { errorCode: ErrorCode.None }
    if (marker.producerEpoch < entry.producerEpoch) return { errorCode: ErrorCode.InvalidProducerEpoch }
    if (marker.coordinatorEpoch < entry.coordinatorEpoch) return { errorCode: ErrorCode.TransactionCoordinatorFenced }
    return { errorCode: ErrorCode.None }
  }

  /**
   * Records a marker written at `markerOffset`: closes the producer's open transaction (if any)
   * and, for an abort, adds it to the aborted-transaction index. `highWatermark` is the log end
   * after the marker (single replica), used for the index's lastStableOffset.
   */
  appendEndTransactionMarker(marker: EndTransactionMarker, markerOffset: number, timestampMs: number, highWatermark = markerOffset + 1): CompletedTransaction {
    const entry = this.#entry(marker.producerId)
    updateEpoch(entry, marker.producerEpoch)
    const firstOffset = entry.currentTransactionFirstOffset ?? markerOffset
    if (entry.currentTransactionFirstOffset !== null) this.#ongoing.delete(entry.currentTransactionFirstOffset)
    entry.currentTransactionFirstOffset = null
    entry.coordinatorEpoch = marker.coordinatorEpoch
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, timestampMs)
    const completed = { producerId: marker.producerId, firstOffset, lastOffset: markerOffset, isAborted: !marker.isCommit }
    if (completed.isAborted) {
      this.#aborted.push({ producerId: marker.producerId, firstOffset, lastOffset: markerOffset, lastStableOffset: this.lastStableOffset(highWatermark) })
      if (this.#aborted.length > this.#abortedMax) this.#aborted.shift()
    }
    return completed
  }

  /** The smallest first offset of an open transaction, or null. */
  firstUnstableOffset(): number | null {
    let first: number | null = null
    for (const offset of this.#ongoing.keys()) if (first === null || offset < first) first = offset
    return first
  }

  /** min(first offset of open transactions, highWatermark): what read_committed consumers may read up to. */
  lastStableOffset(highWatermark: number): number {
    const first = this.firstUnstableOffset()
    return first === null ? highWatermark : Math.min(first, highWatermark)
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset), for a read_committed Fetch. */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTransaction[] {
    return this.#aborted.filter((aborted) => aborted.lastOffset >= fetchOffset && aborted.firstOffset < upperBoundOffset)
  }

  producer(producerId: number): Readonly<ProducerEntry> | undefined {
    return this.#producers.get(producerId)
  }

  /** Active producers (for DescribeProducers). */
  producers(): ReadonlyArray<Readonly<ProducerEntry>> {
    return [...this.#producers.values()]
  }

  /** Forgets producers idle for producerIdExpirationMs that have no open transaction. */
  removeExpiredProducers(nowMs: number): number[] {
    const removed: number[] = []
    for (const [producerId, entry] of this.#producers) {
      if (entry.currentTransactionFirstOffset === null && nowMs - entry.lastTimestampMs >= this.#expirationMs) {
        this.#producers.delete(producerId)
        removed.push(producerId)
      }
    }
    return removed
  }

  /** Drops aborted-transaction entries wholly before the log start (after retention deleted segments). */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    this.#aborted = this.#aborted.filter((aborted) => aborted.lastOffset >= logStartOffset)
  }

  /** Rebuilds the state by scanning the log's batches in offset order (no validation, as on replication). */
  rebuildFrom(batches: Iterable<LoggedBatch>): void {
    this.#producers.clear()
    this.#ongoing.clear()
    this.#aborted = []
    for (const batch of batches) {
      if (batch.producerId === NO_PRODUCER_ID) continue
      if (batch.control === null) {
        this.append(batch, batch.baseOffset)
      } else {
        const marker = { producerId: batch.producerId, producerEpoch: batch.producerEpoch, coordinatorEpoch: batch.control.coordinatorEpoch, isCommit: batch.control.isCommit }
        this.appendEndTransactionMarker(marker, batch.baseOffset, batch.maxTimestampMs)
      }
    }
  }

  #entry(producerId: number): ProducerEntry {
    let entry = this.#producers.get(producerId)
    if (entry === undefined) {
      entry = { producerId, producerEpoch: NO_PRODUCER_EPOCH, batches: [], currentTransactionFirstOffset: null, coordinatorEpoch: -1, lastTimestampMs: -1 }
      this.#producers.set(producerId, entry)
    }
    return entry
  }
}

/** Sequences are int32 and wrap from 2147483647 to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1
  return sequence + increment
}

function inSequence(lastSequence: number, nextSequence: number): boolean {
  return nextSequence === lastSequence + 1 || (nextSequence === 0 && lastSequence === INT32_MAX)
}

function updateEpoch(entry: ProducerEntry, producerEpoch: number): void {
  if (entry.producerEpoch !== producerEpoch) {
    entry.producerEpoch = producerEpoch
    entry.batches = []
  }
}

function error(errorCode: number, message: string): AppendCheck {
  return { kind: 'error', errorCode, message }
}

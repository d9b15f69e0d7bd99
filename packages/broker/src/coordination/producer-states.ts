// The broker's idempotent/transactional producer state: one PartitionProducerState per
// partition, rebuilt from the partition's log the first time the partition is touched (a scan
// of its batch headers, control batches decoded) and then kept current by every append and
// transaction marker. It is the ProducerStateManager the Produce path consults, and what Fetch
// and ListOffsets ask for the last stable offset and the aborted transactions (read_committed).
import { ErrorCode, parseAttributes } from '@tributary/protocol'
import type { RecordBatchHeader } from '@tributary/protocol'
import { LogError, LogErrorCode } from '@tributary/log'
import type { LogManager, PartitionLog } from '@tributary/log'
import { PartitionProducerState } from '../coordinator/index.ts'
import type { EndTransactionMarker, ProducerBatchHeader } from '../coordinator/index.ts'
import type { Logger } from '../logger.ts'
import type { ProducerCheck, ProducerStateManager } from '../cluster/producer-state-manager.ts'
import { appendTransactionMarker, loggedBatchOf, scanBatches } from './log-batches.ts'

/** An aborted transaction as a read_committed Fetch response lists it. */
export interface FetchAbortedTransaction {
  readonly producerId: bigint
  readonly firstOffset: bigint
}

/** Is partition `topic`/`partition` part of the ongoing transaction of `transactionalId`? An error code. */
export type VerifyTransactionalPartition = (transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number) => number

export interface ProducerStatesOptions {
  readonly logs: LogManager
  readonly logger: Logger
  readonly verifyTransactionalPartition: VerifyTransactionalPartition
}

export class ProducerStates implements ProducerStateManager {
  readonly #options: ProducerStatesOptions
  /**
   * Keyed by the partition's log object: a topic deleted and created again under the same name
   * has new logs, so its old state is never picked up (and is collected with the old logs).
   */
  readonly #states = new WeakMap<PartitionLog, PartitionProducerState>()

  constructor(options: ProducerStatesOptions) {
    this.#options = options
  }

  /** Produce: sequence, epoch and transaction checks for one batch with producerId >= 0. */
  check(topic: string, partition: number, header: RecordBatchHeader, transactionalId: string | null): ProducerCheck {
    const state = this.stateOf(topic, partition)
    if (state === undefined) return { kind: 'append' }
    const batch = producerHeaderOf(header)
    const verdict = state.check(batch)
    if (verdict.kind === 'error') return { kind: 'error', errorCode: verdict.errorCode, errorMessage: verdict.message }
    if (verdict.kind === 'duplicate') return { kind: 'duplicate', baseOffset: BigInt(verdict.firstOffset) }
    if (batch.isTransactional) {
      if (transactionalId === null) {
        return { kind: 'error', errorCode: ErrorCode.InvalidTxnState, errorMessage: 'a transactional batch needs the transactionalId of the Produce request' }
      }
      let errorCode = this.#options.verifyTransactionalPartition(transactionalId, batch.producerId, batch.producerEpoch, topic, partition)
      if (errorCode === ErrorCode.ProducerFenced) errorCode = ErrorCode.InvalidProducerEpoch
      if (errorCode !== ErrorCode.None) {
        return { kind: 'error', errorCode, errorMessage: `partition ${topic}-${partition} is not part of the ongoing transaction of '${transactionalId}' (producer ${batch.producerId}, epoch ${batch.producerEpoch})` }
      }
    }
    return { kind: 'append' }
  }

  /** Produce appended the batch at `baseOffset`. */
  onAppend(topic: string, partition: number, header: RecordBatchHeader, baseOffset: bigint): void {
    // Not loaded yet: the rebuild on first use reads this batch from the log.
    const log = this.#log(topic, partition)
    if (log !== undefined) this.#states.get(log)?.append(producerHeaderOf(header), Number(baseOffset))
  }

  /** Produce is about to append to an empty partition: its state starts empty, no scan needed later. */
  prepare(topic: string, partition: number): void {
    const log = this.#log(topic, partition)
    if (log !== undefined) this.#stateOfLog(log)
  }

  /** min(first offset of an open transaction, highWatermark). */
  lastStableOffset(topic: string, partition: number, highWatermark: bigint): bigint {
    const state = this.stateOf(topic, partition)
    return state === undefined ? highWatermark : BigInt(state.lastStableOffset(Number(highWatermark)))
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset). */
  abortedTransactions(topic: string, partition: number, fetchOffset: bigint, upperBoundOffset: bigint): FetchAbortedTransaction[] {
    const state = this.stateOf(topic, partition)
    if (state === undefined) return []
    return state.abortedTransactions(Number(fetchOffset), Number(upperBoundOffset))
      .map((aborted) => ({ producerId: BigInt(aborted.producerId), firstOffset: BigInt(aborted.firstOffset) }))
  }

  /**
   * Writes a COMMIT/ABORT marker to one partition; false when the partition no longer exists or
   * the marker is stale (its epoch is older than the producer's).
   */
  writeMarker(topic: string, partition: number, marker: EndTransactionMarker, nowMs: number): boolean {
    const log = this.#log(topic, partition)
    const state = log === undefined ? undefined : this.stateOf(topic, partition)
    if (log === undefined || state === undefined) return false
    const { errorCode } = state.checkEndTransactionMarker(marker)
    if (errorCode !== ErrorCode.None) {
      this.#options.logger.warn('skipped a stale transaction marker', { topic, partition, producerId: marker.producerId, producerEpoch: marker.producerEpoch, errorCode })
      return false
    }
    const offset = appendTransactionMarker(log, marker, nowMs)
    state.appendEndTransactionMarker(marker, Number(offset), nowMs, Number(log.logEndOffset))
    return true
  }

  /** The partition's state, rebuilt from its log on first use; undefined when the partition does not exist. */
  stateOf(topic: string, partition: number): PartitionProducerState | undefined {
    const log = this.#log(topic, partition)
    return log === undefined ? undefined : this.#stateOfLog(log)
  }

  #stateOfLog(log: PartitionLog): PartitionProducerState {
    let state = this.#states.get(log)
    if (state !== undefined) return state
    state = new PartitionProducerState()
    // An empty log (a new partition) has no producer to remember: skip the scan.
    if (log.logEndOffset > log.logStartOffset) {
      state.rebuildFrom((function* () {
        for (const batch of scanBatches(log)) yield loggedBatchOf(batch)
      })())
    }
    this.#states.set(log, state)
    return state
  }

  #log(topic: string, partition: number): PartitionLog | undefined {
    try {
      return this.#options.logs.partition(topic, partition)
    } catch (error) {
      if (error instanceof LogError && error.code === LogErrorCode.UnknownTopicOrPartition) return undefined
      throw error
    }
  }
}

function producerHeaderOf(header: RecordBatchHeader): ProducerBatchHeader {
  return {
    producerId: Number(header.producerId),
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastOffsetDelta: header.lastOffsetDelta,
    isTransactional: parseAttributes(header.attributes).isTransactional,
    maxTimestampMs: Number(header.maxTimestamp),
  }
}

// A test shell for the transaction coordinator: runs its effects against a ManualClock, keeps the
// `__transaction_state` appends as the log, and lists marker requests (acknowledged on demand).
import { ManualClock } from '@tributary/testing'
import type { AppendRecordsEffect } from '../effects.ts'
import { TransactionCoordinator } from '../transaction/transaction-coordinator.ts'
import type { TransactionCoordinatorOptions } from '../transaction/transaction-coordinator.ts'
import type { TransactionEffect, WriteTxnMarkersEffect } from '../transaction/transaction-types.ts'
import { START_MS } from './group-harness.ts'

export class TransactionHarness {
  readonly clock = new ManualClock(START_MS)
  readonly options: TransactionCoordinatorOptions
  coordinator: TransactionCoordinator
  readonly log: AppendRecordsEffect[] = []
  readonly markerRequests: WriteTxnMarkersEffect[] = []
  readonly #timers = new Map<string, () => void>()

  constructor(options: TransactionCoordinatorOptions = {}) {
    this.options = options
    this.coordinator = new TransactionCoordinator(options)
  }

  run<T extends { effects: readonly TransactionEffect[] } | readonly TransactionEffect[]>(outcome: T): T {
    const effects = Array.isArray(outcome) ? outcome as readonly TransactionEffect[] : (outcome as { effects: readonly TransactionEffect[] }).effects
    for (const effect of effects) {
      if (effect.type === 'appendRecords') this.log.push(effect)
      else if (effect.type === 'writeTxnMarkers') this.markerRequests.push(effect)
      else if (effect.type === 'cancelTimer') {
        this.#timers.get(effect.timerId)?.()
        this.#timers.delete(effect.timerId)
      } else {
        this.#timers.get(effect.timerId)?.()
        const timerId = effect.timerId
        this.#timers.set(timerId, this.clock.setTimer(effect.deadlineMs - this.clock.nowMs(), () => {
          this.#timers.delete(timerId)
          this.run(this.coordinator.onTimer(timerId, this.clock.nowMs()))
        }))
      }
    }
    return outcome
  }

  now(): number {
    return this.clock.nowMs()
  }

  advance(delayMs: number): void {
    this.clock.advance(delayMs)
  }

  init(transactionalId: string | null, fields: { producerId?: number; producerEpoch?: number; transactionTimeoutMs?: number } = {}) {
    return this.run(this.coordinator.initProducerId({
      transactionalId, transactionTimeoutMs: fields.transactionTimeoutMs ?? 60_000,
      producerId: fields.producerId ?? -1, producerEpoch: fields.producerEpoch ?? -1,
    }, this.now())).response
  }

  add(transactionalId: string, producerId: number, producerEpoch: number, topics: Record<string, number[]>): number {
    return this.run(this.coordinator.addPartitionsToTxn({
      transactionalId, producerId, producerEpoch, topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions })),
    }, this.now())).response
  }

  end(transactionalId: string, producerId: number, producerEpoch: number, committed: boolean): number {
    return this.run(this.coordinator.endTxn({ transactionalId, producerId, producerEpoch, committed }, this.now())).response
  }

  /** Acknowledges every pending marker request, as the shell does once the markers are in the logs. */
  writeMarkers(): WriteTxnMarkersEffect[] {
    const requests = this.markerRequests.splice(0)
    for (const request of requests) {
      this.run(this.coordinator.onMarkersWritten(request.transactionalId, request.producerId, request.producerEpoch, this.now()))
    }
    return requests
  }

  state(transactionalId: string): string {
    return this.coordinator.describeTransactions([transactionalId])[0].transactionState
  }

  restart(): void {
    for (const cancel of this.#timers.values()) cancel()
    this.#timers.clear()
    this.markerRequests.splice(0)
    this.coordinator = new TransactionCoordinator(this.options)
    for (const append of this.log) for (const record of append.records) this.coordinator.replay(record)
    this.run(this.coordinator.activate(this.now()))
  }
}

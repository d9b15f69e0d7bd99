// Long-poll support for Fetch: a fetch that has fewer than MinBytes waits here until one of its
// partitions gets an append, its MaxWaitMs passes, or its connection closes. The number of
// waiting fetches is bounded; past the bound a fetch answers at once with what it has (a
// correct, if eager, answer), so a flood of long polls cannot grow memory without limit.
import type { Clock } from '@tributary/protocol'

/** Why a wait ended. */
export type WaitOutcome = 'appended' | 'timeout' | 'aborted' | 'full'

interface Waiter {
  readonly keys: readonly string[]
  resolve(outcome: WaitOutcome): void
}

/** Waiters keyed by partition (see `partitionKey`). */
export class AppendWaiters {
  readonly maxWaiters: number
  readonly #clock: Clock
  readonly #byPartition = new Map<string, Set<Waiter>>()
  #waiterCount = 0

  constructor(options: { maxWaiters: number; clock: Clock }) {
    this.maxWaiters = options.maxWaiters
    this.#clock = options.clock
  }

  /** Fetches currently waiting. */
  get size(): number {
    return this.#waiterCount
  }

  /** Waits for an append to any of `keys`, at most `timeoutMs`. Never rejects. */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (timeoutMs <= 0 || keys.length === 0) return Promise.resolve('timeout')
    if (signal?.aborted === true) return Promise.resolve('aborted')
    if (this.#waiterCount >= this.maxWaiters) return Promise.resolve('full')
    return new Promise<WaitOutcome>((resolve) => {
      let settled = false
      const waiter: Waiter = {
        keys,
        resolve: (outcome) => {
          if (settled) return
          settled = true
          cancelTimer()
          signal?.removeEventListener('abort', onAbort)
          this.#remove(waiter)
          resolve(outcome)
        },
      }
      const onAbort = (): void => waiter.resolve('aborted')
      const cancelTimer = this.#clock.setTimer(timeoutMs, () => waiter.resolve('timeout'))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#add(waiter)
    })
  }

  /** Wakes every fetch waiting on `key` (called after each append). */
  notify(key: string): void {
    const waiters = this.#byPartition.get(key)
    if (waiters === undefined) return
    for (const waiter of [...waiters]) waiter.resolve('appended')
  }

  /** Wakes every waiter (shutdown). */
  notifyAll(): void {
    for (const waiters of [...this.#byPartition.values()]) for (const waiter of [...waiters]) waiter.resolve('aborted')
  }

  #add(waiter: Waiter): void {
    this.#waiterCount++
    for (const key of waiter.keys) {
      let set = this.#byPartition.get(key)
      if (set === undefined) this.#byPartition.set(key, (set = new Set()))
      set.add(waiter)
    }
  }

  #remove(waiter: Waiter): void {
    this.#waiterCount--
    for (const key of waiter.keys) {
      const set = this.#byPartition.get(key)
      if (set === undefined) continue
      set.delete(waiter)
      if (set.size === 0) this.#byPartition.delete(key)
    }
  }
}

/** The waiter key of a partition. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

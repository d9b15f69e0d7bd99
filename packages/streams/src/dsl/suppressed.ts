// KTable#suppress configuration, with Kafka's names. Buffers are bounded: `maxRecords` with
// either an early emit or a failure when full.
import { requireArgument } from '../errors.ts'

export interface BufferConfig {
  readonly maxRecords: number
  /** What to do when the buffer is full: emit the oldest record early, or fail the task. */
  readonly whenFull: 'emitEarly' | 'shutDown'
}

export const BufferConfig = {
  /** Bounded only by `maxRecords` (default 1,000,000); fails when full, as strict suppression must. */
  unbounded: (maxRecords = 1_000_000): BufferConfig => ({ maxRecords, whenFull: 'shutDown' }),
  maxRecords: (maxRecords: number, whenFull: 'emitEarly' | 'shutDown' = 'emitEarly'): BufferConfig => {
    requireArgument(Number.isSafeInteger(maxRecords) && maxRecords >= 1, `maxRecords must be a positive integer, got ${maxRecords}`)
    return { maxRecords, whenFull }
  },
} as const

export type Suppressed =
  | { readonly kind: 'untilWindowCloses'; readonly buffer: BufferConfig; readonly name?: string }
  | { readonly kind: 'untilTimeLimit'; readonly timeLimitMs: number; readonly buffer: BufferConfig; readonly name?: string }

export const Suppressed = {
  /** Emits each window's final result once, when stream time passes window end + grace. */
  untilWindowCloses: (buffer: BufferConfig = BufferConfig.unbounded(), name?: string): Suppressed => ({ kind: 'untilWindowCloses', buffer, name }),
  /** Emits the latest value of a key once `timeLimitMs` of stream time has passed since its first buffered update. */
  untilTimeLimit: (timeLimitMs: number, buffer: BufferConfig = BufferConfig.unbounded(), name?: string): Suppressed => {
    requireArgument(timeLimitMs >= 0, `time limit must not be negative, got ${timeLimitMs}`)
    return { kind: 'untilTimeLimit', timeLimitMs, buffer, name }
  },
} as const

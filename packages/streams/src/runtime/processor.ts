// The Processor API (Kafka's processor.api): user code and DSL operators alike implement
// Processor; the task gives each one a ProcessorContext bound to its node.
import type { StateStore } from '../state/state-store.ts'
import type { RecordMetadata, StreamRecord } from './record.ts'

/** Stream-time punctuation follows record timestamps; wall-clock punctuation follows the clock. */
export const PunctuationType = { StreamTime: 'STREAM_TIME', WallClockTime: 'WALL_CLOCK_TIME' } as const
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType]

/** Called with the current stream time or wall-clock time. */
export type Punctuator = (timestampMs: number) => void

export interface Cancellable {
  cancel(): void
}

export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string
  /** `<subtopology>_<partition>`, as in Kafka. */
  readonly taskId: string
  /** Sends a record to all children, or only to the named child. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void
  getStateStore<S extends StateStore = StateStore>(name: string): S
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable
  /** Topic, partition and offset of the input record; null inside a punctuator. */
  recordMetadata(): RecordMetadata | null
  /** The task's stream time: the largest record timestamp it has processed (-1 before any). */
  currentStreamTimeMs(): number
  currentSystemTimeMs(): number
  /** Counts a record dropped on purpose (late, null key…) and logs why: drops are never silent. */
  recordDropped(reason: DropReason, detail: string): void
}

/** Why a record was dropped; each reason has its own counter in the task metrics. */
export type DropReason = 'null-key' | 'null-value' | 'late-record' | 'expired-window' | 'null-foreign-key' | 'deserialization-error' | 'processing-error' | 'production-error' | 'invalid-timestamp'

export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void
  process(record: StreamRecord<KIn, VIn>): void
  close?(): void
}

/** Returns a new processor for each task. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>

/** Picks a record's event time; the default uses the timestamp the record was written with. */
export type TimestampExtractor = (record: { topic: string; key: unknown; value: unknown; timestamp: number }, partitionTimeMs: number) => number

/** Chooses the output topic per record (Kafka's TopicNameExtractor). */
export type TopicNameExtractor<K, V> = (key: K, value: V, context: { topic: string | null; timestamp: number }) => string

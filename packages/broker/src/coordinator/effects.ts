// Effects are what a pure coordinator asks its shell to do. The shell executes them in list
// order: appends first reach the log, then the responses listed after them are sent, and timer
// requests are (re)armed. A timer fires by calling the coordinator's `onTimer(timerId, nowMs)`.

/** One record of an internal topic (`__consumer_offsets`, `__transaction_state`); value null = tombstone. */
export interface CoordinatorRecord {
  readonly key: Uint8Array
  readonly value: Uint8Array | null
}

/** Producer identity of a transactional append (transactional offset commits). */
export interface TransactionalAppend {
  readonly producerId: number
  readonly producerEpoch: number
}

/** Append `records` as one batch to `topic`/`partition`; transactional when `transaction` is set. */
export interface AppendRecordsEffect {
  readonly type: 'appendRecords'
  readonly topic: string
  readonly partition: number
  readonly records: readonly CoordinatorRecord[]
  readonly transaction: TransactionalAppend | null
}

/** Arm (or re-arm, replacing the previous deadline) the timer `timerId`. */
export interface ScheduleTimerEffect {
  readonly type: 'scheduleTimer'
  readonly timerId: string
  readonly deadlineMs: number
}

/** Disarm the timer `timerId` if armed. */
export interface CancelTimerEffect {
  readonly type: 'cancelTimer'
  readonly timerId: string
}

export type TimerEffect = ScheduleTimerEffect | CancelTimerEffect

/** Identifies a request whose response completes later (JoinGroup, SyncGroup); chosen by the shell. */
export type RequestId = number | string

// Scheduled punctuators of one task for one time type. Stream-time schedules start at 0 (fire on
// the first record); wall-clock schedules start one interval after scheduling. A punctuator fires
// at most once per advance, then its next time skips ahead past the current time, as in Kafka.
import type { Cancellable, Punctuator } from './processor.ts'
import { requireArgument } from '../errors.ts'

interface Schedule {
  nextMs: number
  readonly intervalMs: number
  readonly punctuator: Punctuator
  cancelled: boolean
}

export class PunctuationQueue {
  private schedules: Schedule[] = []

  schedule(startMs: number, intervalMs: number, punctuator: Punctuator): Cancellable {
    requireArgument(intervalMs >= 1, `punctuation interval must be at least 1 ms, got ${intervalMs}`)
    const schedule: Schedule = { nextMs: startMs, intervalMs, punctuator, cancelled: false }
    this.schedules.push(schedule)
    return {
      cancel: () => {
        schedule.cancelled = true
        this.schedules = this.schedules.filter((entry) => entry !== schedule)
      },
    }
  }

  /** Fires every schedule due at `nowMs`, earliest first; returns true if any fired. */
  mayPunctuate(nowMs: number): boolean {
    let fired = false
    for (;;) {
      let due: Schedule | undefined
      for (const schedule of this.schedules) if (schedule.nextMs <= nowMs && (due === undefined || schedule.nextMs < due.nextMs)) due = schedule
      if (due === undefined) return fired
      const previousMs = due.nextMs
      due.nextMs = previousMs + due.intervalMs
      if (nowMs >= due.nextMs) due.nextMs = nowMs - ((nowMs - previousMs) % due.intervalMs) + due.intervalMs
      fired = true
      due.punctuator(nowMs)
    }
  }

  get size(): number {
    return this.schedules.length
  }
}

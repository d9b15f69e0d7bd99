// The wall clock and real timers, for production use. Tests inject their own Clock.
import type { Clock } from '@tributary/protocol'

/** Clock backed by Date.now and setTimeout. Timers are unref'd so they never keep the process alive. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs).unref()),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, delayMs)
    timer.unref()
    return () => clearTimeout(timer)
  },
}

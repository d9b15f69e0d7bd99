import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AppendWaiters, partitionKey } from './append-waiters.ts'
import type { Clock } from '@tributary/protocol'

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0
  const timers = new Set<{ at: number; callback: () => void }>()
  return {
    nowMs: () => now,
    sleep: () => Promise.resolve(),
    setTimer(delayMs, callback) {
      const timer = { at: now + delayMs, callback }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    advance(ms) {
      now += ms
      for (const timer of [...timers]) if (timer.at <= now) {
        timers.delete(timer)
        timer.callback()
      }
    },
  }
}

test('an append to a watched partition wakes the waiter and unregisters it', async () => {
  const waiters = new AppendWaiters({ maxWaiters: 10, clock: manualClock() })
  const outcome = waiters.wait([partitionKey('a', 0), partitionKey('b', 1)], 1000)
  waiters.notify(partitionKey('a', 1))
  assert.equal(waiters.size, 1)
  waiters.notify(partitionKey('b', 1))
  assert.equal(await outcome, 'appended')
  assert.equal(waiters.size, 0)
})

test('the timeout ends a wait', async () => {
  const clock = manualClock()
  const waiters = new AppendWaiters({ maxWaiters: 10, clock })
  const outcome = waiters.wait([partitionKey('a', 0)], 500)
  clock.advance(499)
  assert.equal(waiters.size, 1)
  clock.advance(1)
  assert.equal(await outcome, 'timeout')
  assert.equal(waiters.size, 0)
})

test('an abort ends a wait', async () => {
  const waiters = new AppendWaiters({ maxWaiters: 10, clock: manualClock() })
  const controller = new AbortController()
  const outcome = waiters.wait([partitionKey('a', 0)], 500, controller.signal)
  controller.abort()
  assert.equal(await outcome, 'aborted')
  assert.equal(waiters.size, 0)
})

test('waits beyond maxWaiters return at once', async () => {
  const waiters = new AppendWaiters({ maxWaiters: 2, clock: manualClock() })
  const first = waiters.wait([partitionKey('a', 0)], 500)
  const second = waiters.wait([partitionKey('a', 0)], 500)
  assert.equal(await waiters.wait([partitionKey('a', 0)], 500), 'full')
  waiters.notify(partitionKey('a', 0))
  assert.deepEqual(await Promise.all([first, second]), ['appended', 'appended'])
})

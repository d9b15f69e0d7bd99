import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '@tributary/testing'
import { TIMER_DELAY_MAX_MS, TimerTable } from './timer-table.ts'

test('re-arming replaces a timer; cancel and close disarm', () => {
  const clock = new ManualClock(0)
  const timers = new TimerTable(clock)
  const fired: string[] = []
  timers.schedule('a', 100, () => fired.push('a@100'))
  timers.schedule('a', 300, () => fired.push('a@300'))
  timers.schedule('b', 200, () => fired.push('b'))
  timers.schedule('c', 250, () => fired.push('c'))
  timers.cancel('b')
  clock.advance(400)
  assert.deepEqual(fired, ['c', 'a@300'])
  timers.schedule('d', 500, () => fired.push('d'))
  timers.close()
  timers.schedule('e', 450, () => fired.push('e'))
  clock.advance(1000)
  assert.deepEqual(fired, ['c', 'a@300'])
  assert.equal(clock.pendingTimerCount, 0)
})

test('deadlines beyond the platform timer limit are reached in steps', () => {
  const clock = new ManualClock(0)
  const timers = new TimerTable(clock)
  let firedAt = -1
  const deadlineMs = TIMER_DELAY_MAX_MS * 2 + 5
  timers.schedule('long', deadlineMs, () => {
    firedAt = clock.nowMs()
  })
  clock.advance(TIMER_DELAY_MAX_MS * 2)
  assert.equal(firedAt, -1)
  clock.advance(10)
  assert.equal(firedAt, deadlineMs)
})

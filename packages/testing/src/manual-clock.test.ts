import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from './manual-clock.ts'

describe('ManualClock', () => {
  test('time starts at the given instant and moves only on advance', () => {
    const clock = new ManualClock(1_000)
    assert.equal(clock.nowMs(), 1_000)
    clock.advance(250)
    assert.equal(clock.nowMs(), 1_250)
  })

  test('advance fires due timers in deadline order, at their deadlines', () => {
    const clock = new ManualClock()
    const fired: Array<[string, number]> = []
    clock.setTimer(30, () => fired.push(['c', clock.nowMs()]))
    clock.setTimer(10, () => fired.push(['a', clock.nowMs()]))
    clock.setTimer(20, () => fired.push(['b', clock.nowMs()]))
    clock.setTimer(40, () => fired.push(['d', clock.nowMs()]))
    clock.advance(30)
    assert.deepEqual(fired, [['a', 10], ['b', 20], ['c', 30]])
    assert.equal(clock.pendingTimerCount, 1)
    assert.equal(clock.nextDeadlineMs(), 40)
  })

  test('timers with equal deadlines fire in the order they were set', () => {
    const clock = new ManualClock()
    const fired: string[] = []
    for (const name of ['x', 'y', 'z']) clock.setTimer(5, () => fired.push(name))
    clock.advance(5)
    assert.deepEqual(fired, ['x', 'y', 'z'])
  })

  test('a timer set by a callback inside the advanced window fires in the same advance', () => {
    const clock = new ManualClock()
    const fired: number[] = []
    clock.setTimer(10, () => {
      fired.push(clock.nowMs())
      clock.setTimer(10, () => fired.push(clock.nowMs()))
    })
    clock.advance(25)
    assert.deepEqual(fired, [10, 20])
    assert.equal(clock.nowMs(), 25)
  })

  test('cancelled timers never fire', () => {
    const clock = new ManualClock()
    let fired = false
    const cancel = clock.setTimer(10, () => { fired = true })
    cancel()
    clock.advance(100)
    assert.equal(fired, false)
    assert.equal(clock.pendingTimerCount, 0)
  })

  test('a zero or negative delay fires on the next advance, even advance(0)', () => {
    const clock = new ManualClock(50)
    const fired: number[] = []
    clock.setTimer(0, () => fired.push(1))
    clock.setTimer(-5, () => fired.push(2))
    clock.advance(0)
    assert.deepEqual(fired, [1, 2])
  })

  test('time cannot move backwards', () => {
    const clock = new ManualClock(100)
    assert.throws(() => clock.advanceTo(99), RangeError)
    assert.throws(() => clock.advance(-1), RangeError)
  })

  test('sleep resolves once the clock passes its deadline', async () => {
    const clock = new ManualClock()
    let woke = false
    const sleeping = clock.sleep(100).then(() => { woke = true })
    await clock.advanceAsync(99)
    assert.equal(woke, false)
    await clock.advanceAsync(1)
    await sleeping
    assert.equal(woke, true)
  })

  test('advanceAsync lets code awaiting sleep schedule the next sleep within the window', async () => {
    const clock = new ManualClock()
    const wakeTimes: number[] = []
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10)
        wakeTimes.push(clock.nowMs())
      }
    })()
    await clock.advanceAsync(35)
    await loop
    assert.deepEqual(wakeTimes, [10, 20, 30])
  })
})

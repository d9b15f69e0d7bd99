// Contract every WindowStore implementation must pass. Retention follows Kafka: a window whose
// start is at or before `observedStreamTime - retention` is expired (observed stream time is the
// largest window start put so far).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { WindowStore } from './window-store.ts'

const context = { applicationId: 'contract', taskId: '0_0', changelogTopic: null }

export interface WindowStoreFactoryOptions {
  retentionMs: number
  windowSizeMs: number
  retainDuplicates: boolean
}

/** `create` returns a fresh, uninitialized store with String keys and String values. */
export function runWindowStoreContract(implementation: string, create: (options: WindowStoreFactoryOptions) => WindowStore<string, string>): void {
  const open = (options: Partial<WindowStoreFactoryOptions> = {}): WindowStore<string, string> => {
    const store = create({ retentionMs: 1000, windowSizeMs: 100, retainDuplicates: false, ...options })
    store.init(context)
    return store
  }
  describe(`WindowStore contract: ${implementation}`, () => {
    test('put and fetch one window; a later put overwrites; null deletes', () => {
      const store = open()
      store.put('a', 'x', 100)
      assert.equal(store.fetch('a', 100), 'x')
      store.put('a', 'y', 100)
      assert.equal(store.fetch('a', 100), 'y')
      store.put('a', null, 100)
      assert.equal(store.fetch('a', 100), null)
    })

    test('fetch over a time range is inclusive and ordered by window start', () => {
      const store = open()
      store.put('a', 'w300', 300)
      store.put('a', 'w100', 100)
      store.put('b', 'other', 200)
      store.put('a', 'w200', 200)
      assert.deepEqual([...store.fetch('a', 100, 200)], [{ timestamp: 100, value: 'w100' }, { timestamp: 200, value: 'w200' }])
      assert.deepEqual([...store.backwardFetch('a', 100, 300)].map((entry) => entry.timestamp), [300, 200, 100])
    })

    test('fetchAll and fetchKeyRange return windowed keys with start and end', () => {
      const store = open()
      store.put('b', 'b1', 100)
      store.put('a', 'a1', 100)
      store.put('c', 'c2', 200)
      const all = [...store.fetchAll(0, 1000)].map((entry) => [entry.key.key, entry.key.window.startMs, entry.key.window.endMs, entry.value])
      assert.deepEqual(all, [['a', 100, 200, 'a1'], ['b', 100, 200, 'b1'], ['c', 200, 300, 'c2']])
      assert.deepEqual([...store.fetchKeyRange('b', 'c', 0, 1000)].map((entry) => entry.value), ['b1', 'c2'])
      assert.equal([...store.all()].length, 3)
    })

    test('windows expire retention after the latest window start', () => {
      const store = open({ retentionMs: 1000 })
      store.put('a', 'old', 0)
      store.put('a', 'new', 1000)
      assert.equal(store.fetch('a', 0), null, 'start 0 <= 1000 - 1000 is expired')
      assert.deepEqual([...store.fetch('a', 0, 2000)].map((entry) => entry.value), ['new'])
      store.put('a', 'late', 0)
      assert.equal(store.fetch('a', 0), null, 'a put into an expired window is dropped')
      store.put('a', 'kept', 1)
      assert.equal(store.fetch('a', 1), 'kept')
    })

    test('property: fetches match a model of overwrite, delete and retention', () => {
      const put = fc.record({ key: fc.constantFrom('a', 'b'), start: fc.integer({ min: 0, max: 3000 }), value: fc.option(fc.string({ maxLength: 2 }), { nil: null }) })
      fc.assert(fc.property(fc.array(put, { maxLength: 30 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (puts, from, to) => {
        const store = open({ retentionMs: 1000 })
        const model = new Map<string, string>()
        let observedMs = -1
        for (const { key, start, value } of puts) {
          store.put(key, value, start)
          observedMs = Math.max(observedMs, start)
          if (start <= observedMs - 1000) continue
          if (value === null) model.delete(`${key}@${start}`)
          else model.set(`${key}@${start}`, value)
        }
        const live = (start: number) => start > observedMs - 1000
        for (const key of ['a', 'b']) {
          const expected = [...model.entries()]
            .map(([id, value]) => ({ id, start: Number(id.split('@')[1]), value }))
            .filter((entry) => entry.id.startsWith(`${key}@`) && live(entry.start) && entry.start >= from && entry.start <= to)
            .sort((left, right) => left.start - right.start)
            .map((entry) => ({ timestamp: entry.start, value: entry.value }))
          assert.deepEqual([...store.fetch(key, from, to)], expected)
        }
      }), { numRuns: 200 })
    })

    test('retained duplicates keep every put, in order', () => {
      const store = open({ retainDuplicates: true })
      store.put('a', 'first', 100)
      store.put('a', 'second', 100)
      store.put('a', null, 100)
      assert.deepEqual([...store.fetch('a', 100, 100)].map((entry) => entry.value), ['first', 'second'])
    })
  })
}

// Contract every SessionStore implementation must pass.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionStore } from './session-store.ts'
import { Window, Windowed } from './windowed.ts'

const context = { applicationId: 'contract', taskId: '0_0', changelogTopic: null }
const session = (key: string, startMs: number, endMs: number): Windowed<string> => new Windowed(key, new Window(startMs, endMs))

/** `create` returns a fresh, uninitialized store with String keys and number aggregates. */
export function runSessionStoreContract(implementation: string, create: (retentionMs: number) => SessionStore<string, number>): void {
  const open = (retentionMs = 10_000): SessionStore<string, number> => {
    const store = create(retentionMs)
    store.init(context)
    return store
  }
  describe(`SessionStore contract: ${implementation}`, () => {
    test('put, fetchSession and remove', () => {
      const store = open()
      store.put(session('a', 10, 20), 2)
      assert.equal(store.fetchSession('a', 10, 20), 2)
      assert.equal(store.fetchSession('a', 10, 21), null)
      store.remove(session('a', 10, 20))
      assert.equal(store.fetchSession('a', 10, 20), null)
      store.put(session('a', 10, 20), 3)
      store.put(session('a', 10, 20), null)
      assert.equal(store.fetchSession('a', 10, 20), null)
    })

    test('findSessions returns sessions ending at or after earliestEnd and starting at or before latestStart', () => {
      const store = open()
      store.put(session('a', 0, 10), 1)
      store.put(session('a', 20, 30), 2)
      store.put(session('a', 50, 60), 3)
      store.put(session('b', 20, 30), 9)
      const found = [...store.findSessions('a', 10, 50)].map((entry) => [entry.key.window.startMs, entry.key.window.endMs, entry.value])
      assert.deepEqual(found, [[0, 10, 1], [20, 30, 2], [50, 60, 3]])
      assert.deepEqual([...store.findSessions('a', 11, 49)].map((entry) => entry.value), [2])
      assert.deepEqual([...store.fetch('b')].map((entry) => entry.value), [9])
    })

    test('all orders by key then session end', () => {
      const store = open()
      store.put(session('b', 0, 5), 1)
      store.put(session('a', 10, 20), 2)
      store.put(session('a', 0, 5), 3)
      assert.deepEqual([...store.all()].map((entry) => `${entry.key.key}:${entry.key.window.endMs}`), ['a:5', 'a:20', 'b:5'])
    })

    test('sessions expire retention after the latest session end', () => {
      const store = open(100)
      store.put(session('a', 0, 10), 1)
      store.put(session('a', 200, 210), 2)
      assert.deepEqual([...store.fetch('a')].map((entry) => entry.value), [2])
      store.put(session('a', 5, 50), 3)
      assert.equal(store.fetchSession('a', 5, 50), null, 'a put of an expired session is dropped')
    })
  })
}

// Contract every KeyValueStore implementation must pass (in-memory now, persistent next).
// Usage: runKeyValueStoreContract('in-memory', () => new InMemoryKeyValueStore('s', Serdes.String()))
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { KeyValueStore } from './key-value-store.ts'

const context = { applicationId: 'contract', taskId: '0_0', changelogTopic: null }

/** `create` returns a fresh, uninitialized store with String keys and String values. */
export function runKeyValueStoreContract(implementation: string, create: () => KeyValueStore<string, string>): void {
  const open = (): KeyValueStore<string, string> => {
    const store = create()
    store.init(context)
    return store
  }
  describe(`KeyValueStore contract: ${implementation}`, () => {
    test('put, get, overwrite and delete', () => {
      const store = open()
      assert.equal(store.get('a'), null)
      store.put('a', '1')
      assert.equal(store.get('a'), '1')
      store.put('a', '2')
      assert.equal(store.get('a'), '2')
      assert.equal(store.delete('a'), '2')
      assert.equal(store.get('a'), null)
      assert.equal(store.delete('a'), null)
    })

    test('a null value deletes the key', () => {
      const store = open()
      store.put('a', '1')
      store.put('a', null)
      assert.equal(store.get('a'), null)
      assert.equal(store.approximateNumEntries(), 0)
    })

    test('putIfAbsent keeps the existing value', () => {
      const store = open()
      assert.equal(store.putIfAbsent('a', '1'), null)
      assert.equal(store.putIfAbsent('a', '2'), '1')
      assert.equal(store.get('a'), '1')
    })

    test('range is inclusive, ordered by key bytes, empty when from > to', () => {
      const store = open()
      store.putAll(['d', 'b', 'a', 'c', 'e'].map((key) => ({ key, value: key.toUpperCase() })))
      assert.deepEqual([...store.range('b', 'd')], [{ key: 'b', value: 'B' }, { key: 'c', value: 'C' }, { key: 'd', value: 'D' }])
      assert.deepEqual([...store.reverseRange('b', 'c')].map((entry) => entry.key), ['c', 'b'])
      assert.deepEqual([...store.range('d', 'b')], [])
      assert.deepEqual([...store.all()].map((entry) => entry.key), ['a', 'b', 'c', 'd', 'e'])
      assert.deepEqual([...store.reverseAll()].map((entry) => entry.key), ['e', 'd', 'c', 'b', 'a'])
    })

    test('all reflects later writes and deletes', () => {
      const store = open()
      store.put('b', '1')
      assert.deepEqual([...store.all()].map((entry) => entry.key), ['b'])
      store.put('a', '1')
      store.delete('b')
      assert.deepEqual([...store.all()].map((entry) => entry.key), ['a'])
      assert.equal(store.approximateNumEntries(), 1)
    })

    test('property: any sequence of puts and deletes matches a sorted map model', () => {
      const key = fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'b', 'c', 'é', 'z') })
      const operation = fc.oneof(
        fc.record({ kind: fc.constant('put' as const), key, value: fc.option(fc.string({ maxLength: 2 }), { nil: null }) }),
        fc.record({ kind: fc.constant('delete' as const), key }),
      )
      fc.assert(fc.property(fc.array(operation, { maxLength: 40 }), key, key, (operations, from, to) => {
        const store = open()
        const model = new Map<string, string>()
        for (const op of operations) {
          if (op.kind === 'put') {
            store.put(op.key, op.value)
            if (op.value === null) model.delete(op.key)
            else model.set(op.key, op.value)
          } else {
            assert.equal(store.delete(op.key), model.get(op.key) ?? null)
            model.delete(op.key)
          }
        }
        const sorted = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, value]) => ({ key: k, value }))
        assert.deepEqual([...store.all()], sorted)
        assert.deepEqual([...store.range(from, to)], from > to ? [] : sorted.filter((entry) => entry.key >= from && entry.key <= to))
        assert.equal(store.approximateNumEntries(), model.size)
      }), { numRuns: 200 })
    })

    test('a closed store refuses reads', () => {
      const store = open()
      store.close()
      assert.equal(store.isOpen(), false)
      assert.throws(() => store.get('a'), { code: 'STREAMS_STORE_CLOSED' })
    })
  })
}

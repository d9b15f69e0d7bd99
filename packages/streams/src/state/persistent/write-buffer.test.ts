// The write buffer merges pending writes with LMDB: property-checked against a sorted-map model
// for gets, forward and reverse ranges, counts and range deletes, across random commit points.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { TaskStateDirectory } from './task-state-directory.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'tributary-buffer-'))
const directory = new TaskStateDirectory({ stateDir, applicationId: 'app', taskId: '0_0', maxStores: 256, writeBuffer: { maxBufferedRecords: 5 } })
after(async () => {
  await directory.close()
  rmSync(stateDir, { recursive: true, force: true })
})

const byteKey = fc.uint8Array({ minLength: 1, maxLength: 2, min: 0, max: 3 }).map((bytes) => Buffer.from(bytes))
const operation = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key: byteKey, value: fc.option(fc.uint8Array({ maxLength: 2 }).map((bytes) => Buffer.from(bytes)), { nil: null }) }),
  fc.record({ kind: fc.constant('commit' as const) }),
  fc.record({ kind: fc.constant('deleteRange' as const), start: byteKey, end: byteKey }),
)
let databases = 0

test('property: gets, ranges (both directions), counts and range deletes match a sorted-map model', () => {
  fc.assert(fc.property(fc.array(operation, { maxLength: 60 }), byteKey, byteKey, (operations, from, to) => {
    const database = directory.database(`buffer-${databases++}`)
    const model = new Map<string, Buffer>()
    for (const op of operations) {
      if (op.kind === 'put') {
        database.put(op.key, op.value)
        if (op.value === null) model.delete(op.key.toString('latin1'))
        else model.set(op.key.toString('latin1'), op.value)
      } else if (op.kind === 'commit') {
        database.commit()
      } else {
        database.deleteRange(op.start, op.end)
        for (const id of [...model.keys()]) if (id >= op.start.toString('latin1') && id < op.end.toString('latin1')) model.delete(id)
      }
    }
    const sorted = [...model.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    const show = (entries: Iterable<{ key: Buffer; value: Buffer }>) => [...entries].map((entry) => `${entry.key.toString('hex')}=${entry.value.toString('hex')}`)
    const low = from.toString('latin1')
    const high = to.toString('latin1')
    const expected = sorted.filter(([id]) => id >= low && id <= high).map(([id, value]) => `${Buffer.from(id, 'latin1').toString('hex')}=${value.toString('hex')}`)
    assert.deepEqual(show(database.range(from, to)), expected)
    assert.deepEqual(show(database.range(from, to, true)), [...expected].reverse())
    const everything = sorted.map(([id, value]) => `${Buffer.from(id, 'latin1').toString('hex')}=${value.toString('hex')}`)
    assert.deepEqual(show(database.range(Buffer.from([0]), Buffer.from([255, 255]))), everything)
    assert.deepEqual(show(database.range(Buffer.from([0]), Buffer.from([255, 255]), true)), [...everything].reverse())
    assert.equal(database.count(), model.size)
    for (const [id, value] of sorted) assert.deepEqual(database.get(Buffer.from(id, 'latin1')), value)
    database.clear()
  }), { numRuns: 150 })
})

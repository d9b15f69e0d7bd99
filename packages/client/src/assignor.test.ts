import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { rangeAssignor, roundRobinAssignor, type AssignmentContext } from './assignor.ts'

function context(memberCount: number, counts: [string, number][]): AssignmentContext {
  const topics = counts.map(([topic]) => topic)
  const members = Array.from({ length: memberCount }, (_, index) => ({ memberId: `m${index}`, groupInstanceId: null, topics, userData: null, ownedPartitions: [] }))
  return { leaderId: 'm0', generationId: 1, members, partitionCounts: new Map(counts) }
}

test('range: contiguous ranges, first members take the remainder', async () => {
  const result = await rangeAssignor.assign(context(3, [['t', 7]]))
  assert.deepEqual([...result].map(([memberId, assignment]) => [memberId, assignment.partitions.map((entry) => entry.partition)]), [
    ['m0', [0, 1, 2]],
    ['m1', [3, 4]],
    ['m2', [5, 6]],
  ])
})

for (const assignor of [rangeAssignor, roundRobinAssignor]) {
  test(`${assignor.name}: every partition exactly once, sizes differ by at most one per topic`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 20 }), async (memberCount, partitionCount) => {
        const result = await assignor.assign(context(memberCount, [['t', partitionCount]]))
        assert.equal(result.size, memberCount)
        const all = [...result.values()].flatMap((assignment) => assignment.partitions.map((entry) => entry.partition)).sort((a, b) => a - b)
        assert.deepEqual(all, Array.from({ length: partitionCount }, (_, index) => index))
        const sizes = [...result.values()].map((assignment) => assignment.partitions.length)
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1)
      }),
    )
  })
}

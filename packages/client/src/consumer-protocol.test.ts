import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts'
import { ClientError } from './errors.ts'

const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/)
const userData = fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null })
const partitions = fc.uniqueArray(fc.record({ topic: topicName, partition: fc.integer({ min: 0, max: 1000 }) }), { selector: (entry) => `${entry.topic}/${entry.partition}`, maxLength: 20 })

// Encoding groups partitions by topic (first-seen topic order), so compare as sorted sets.
const sorted = (list: { topic: string; partition: number }[]) => list.map(({ topic, partition }) => ({ topic, partition })).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))

test('subscription round-trips at v0 and v1', () => {
  fc.assert(
    fc.property(fc.uniqueArray(topicName, { maxLength: 10 }), userData, partitions, fc.constantFrom(0 as const, 1 as const), (topics, data, owned, version) => {
      const decoded = decodeSubscription(encodeSubscription({ topics, userData: data, ownedPartitions: owned }, version))
      assert.deepEqual(decoded.topics, topics)
      assert.deepEqual(decoded.userData === null ? null : [...decoded.userData], data === null ? null : [...data])
      assert.deepEqual(sorted(decoded.ownedPartitions), version === 1 ? sorted(owned) : [])
    }),
  )
})

test('assignment round-trips, userData included', () => {
  fc.assert(
    fc.property(partitions, userData, (assigned, data) => {
      const decoded = decodeAssignment(encodeAssignment({ partitions: assigned, userData: data }))
      assert.deepEqual(sorted(decoded.partitions), sorted(assigned))
      assert.deepEqual(decoded.userData === null ? null : [...decoded.userData], data === null ? null : [...data])
    }),
  )
})

test('subscription bytes follow the ConsumerProtocolSubscription v0 layout', () => {
  const bytes = encodeSubscription({ topics: ['ab'], userData: Buffer.from([7]), ownedPartitions: [] }, 0)
  assert.deepEqual([...bytes], [0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0, 0, 0, 1, 7])
})

test('an empty assignment (a member the leader gave nothing) decodes to no partitions', () => {
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { partitions: [], userData: null })
})

test('truncated bytes fail with a typed error, never a RangeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      for (const decode of [decodeSubscription, decodeAssignment]) {
        try {
          decode(bytes)
        } catch (error) {
          assert.ok(error instanceof ClientError, String(error))
        }
      }
    }),
  )
})

// Random operation sequences against a model: whatever mix of appends, rolls, deleteRecords,
// clean reopens and crashes, every read and timestamp lookup agrees with a plain array.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readdirSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { openPartitionLog } from './partition-open.ts'
import type { PartitionLog } from './partition-log.ts'
import { resolveTopicConfig } from './topic-config.ts'
import { makeBatch, recordsOf, temporaryDirectory } from './testing/fixtures.ts'

type Operation =
  | { kind: 'append'; timestamps: number[]; logAppendTime: boolean }
  | { kind: 'reopen'; clean: boolean }
  | { kind: 'deleteRecords'; fraction: number }
  | { kind: 'retention' }
  | { kind: 'tear'; bytes: number }
  | { kind: 'flush' }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), timestamps: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 6 }), logAppendTime: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), clean: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tear' as const), bytes: fc.integer({ min: 1, max: 120 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
)

const config = resolveTopicConfig({ 'segment.bytes': '1500', 'index.interval.bytes': '200', 'retention.ms': '5000' })

test('reads and timestamp lookups match a model under random operations', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
      const directory = temporaryDirectory()
      const dir = join(directory.path, 't-0')
      const open = (cleanShutdown: boolean): PartitionLog => openPartitionLog({ dir, topic: 't', partition: 0, config, flushPolicy: 'os', cleanShutdown, nowMs: 0 })
      let log = open(false)
      const model: Array<{ offset: bigint; timestampMs: number }> = []
      let nowMs = 20_000
      try {
        for (const step of operations) {
          if (step.kind === 'append') {
            nowMs += 10
            const result = log.append(makeBatch({ timestamps: step.timestamps, valueBytes: 40 }), { timestampType: step.logAppendTime ? 'LogAppendTime' : 'CreateTime', nowMs })
            assert.equal(result.baseOffset, BigInt(model.length))
            for (const timestamp of step.timestamps) model.push({ offset: BigInt(model.length), timestampMs: step.logAppendTime ? nowMs : timestamp })
          } else if (step.kind === 'reopen') {
            if (step.clean) await log.close()
            else log.abandon()
            log = open(step.clean)
          } else if (step.kind === 'deleteRecords') {
            const target = log.logStartOffset + BigInt(Math.floor(Number(log.logEndOffset - log.logStartOffset) * step.fraction))
            assert.equal(log.deleteRecordsBefore(target), target)
          } else if (step.kind === 'tear') {
            // A crash in the middle of writing the last batch: its tail never reached the file.
            log.abandon()
            const last = readdirSync(dir).filter((name) => name.endsWith('.log')).sort().pop() as string
            const size = statSync(join(dir, last)).size
            truncateSync(join(dir, last), Math.max(0, size - step.bytes))
            log = open(false)
            assert.ok(log.logEndOffset <= BigInt(model.length))
            if (size > 0) assert.ok(log.logEndOffset < BigInt(model.length), 'the torn batch is gone')
            model.length = Number(log.logEndOffset)
          } else if (step.kind === 'flush') {
            // An fsync round, then a periodic checkpoint: later crashes resume recovery from its anchor.
            await log.flush()
            log.runRetention(nowMs)
          } else {
            log.runRetention(nowMs)
          }
          check(log, model)
        }
      } finally {
        log.abandon()
        directory.remove()
      }
    }),
    { numRuns: 40 },
  )
})

function check(log: PartitionLog, model: Array<{ offset: bigint; timestampMs: number }>): void {
  assert.equal(log.logEndOffset, BigInt(model.length))
  const start = log.logStartOffset
  // Every offset from logStartOffset on reads back with its timestamp, batch by batch.
  let next = start
  while (next < log.logEndOffset) {
    const records = recordsOf(log.read(next, 300).records)
    assert.ok(records.length > 0 && records[0].offset <= next)
    for (const record of records) if (record.offset >= next) assert.deepEqual({ offset: record.offset, timestampMs: record.timestampMs }, model[Number(record.offset)])
    next = records[records.length - 1].offset + 1n
  }
  for (const target of [0, 2_500, 5_000, 9_999, 20_005]) {
    const expected = model.find((record) => record.offset >= start && record.timestampMs >= target)
    assert.deepEqual(log.offsetForTimestamp(target), expected, `offsetForTimestamp(${target})`)
  }
  if (start === 0n && model.length > 0) {
    const max = model.reduce((best, record) => (record.timestampMs > best.timestampMs ? record : best))
    assert.deepEqual(log.maxTimestamp(), max)
  }
}

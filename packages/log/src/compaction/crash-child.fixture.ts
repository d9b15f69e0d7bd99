// Child process of the kill -9 test (log-cleaner-crash.test.ts): fills a compacted topic in
// `argv[2]` with a deterministic history, prints "ready", then alternates compaction passes and
// more appends (the same history continued) until killed.
import { createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import { openLogManager } from '../log-manager.ts'
import { ManualClock } from '../testing/fixtures.ts'

export const CRASH_TOPIC_CONFIGS = { 'cleanup.policy': 'compact', 'segment.bytes': String(512 * 1024), 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '0' }
export const CRASH_KEYS = 300
export const CRASH_BATCHES = 1500
export const CRASH_RECORDS_PER_BATCH = 10

/** The record at offset n of the history: key, and value (null for a tombstone). */
export function crashRecord(n: number): { key: string; value: string | null } {
  const key = `key-${(n * 7) % CRASH_KEYS}`
  return { key, value: n % 97 === 0 ? null : `${key}#${n}:${'x'.repeat(200)}` }
}

async function main(dir: string): Promise<void> {
  const clock = new ManualClock(1_000_000)
  const manager = await openLogManager({ dataDir: dir, flushPolicy: 'os', clock })
  manager.createTopic('c', { partitionCount: 1, configs: CRASH_TOPIC_CONFIGS })
  const log = manager.partition('c', 0)
  const encoder = new TextEncoder()
  let n = 0
  const appendBatches = (count: number): void => {
    for (let b = 0; b < count; b++) {
      const records = Array.from({ length: CRASH_RECORDS_PER_BATCH }, () => {
        const { key, value } = crashRecord(n++)
        return { key: encoder.encode(key), value: value === null ? null : encoder.encode(value) }
      })
      log.append(encodeRecordBatch(createRecordBatch({ records, timestamp: clock.nowMs() })), { nowMs: clock.nowMs() })
    }
  }
  appendBatches(CRASH_BATCHES)
  await manager.flush()
  process.stdout.write('ready\n')
  // Keep making dirty data so that kills land in passes, not between them.
  for (;;) {
    clock.advance(1)
    await manager.runCompaction(clock.nowMs())
    appendBatches(CRASH_BATCHES / 5)
  }
}

if (process.argv[2] !== undefined && import.meta.url.endsWith(process.argv[1])) await main(process.argv[2])

// Compaction throughput: `npx node packages/log/src/compaction/log-cleaner.bench.ts [MiB] [keys]`.
// Fills one partition with MiB of 100-byte values over `keys` keys (10 records per batch,
// 8 MiB segments), then times one full pass (every segment dirty) and prints MiB/s read.
import { createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import { openLogManager } from '../log-manager.ts'
import { ManualClock, temporaryDirectory } from '../testing/fixtures.ts'

const mebibytes = Number(process.argv[2] ?? 64)
const keyCount = Number(process.argv[3] ?? 10_000)
const directory = temporaryDirectory('tributary-compaction-bench-')
const clock = new ManualClock(1_000_000)
const manager = await openLogManager({ dataDir: directory.path, flushPolicy: 'os', clock })
try {
  manager.createTopic('bench', { partitionCount: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(8 << 20) } })
  const log = manager.partition('bench', 0)
  const encoder = new TextEncoder()
  const value = new Uint8Array(100).fill(0x61)
  let n = 0
  while (log.sizeBytes < mebibytes * 1024 * 1024) {
    const records = Array.from({ length: 10 }, () => ({ key: encoder.encode(`key-${n++ % keyCount}`), value }))
    log.append(encodeRecordBatch(createRecordBatch({ records, timestamp: clock.nowMs() })), { nowMs: clock.nowMs() })
  }
  await manager.flush()
  const started = performance.now()
  const [result] = await manager.runCompaction(clock.nowMs(), { maxBytes: Number.MAX_SAFE_INTEGER })
  const seconds = (performance.now() - started) / 1000
  const readMiB = result.bytesRead / 1024 / 1024
  console.log(`${n} records, ${(result.bytesBefore / 1024 / 1024).toFixed(1)} MiB → ${(result.bytesAfter / 1024 / 1024).toFixed(1)} MiB, ` +
    `${result.removedRecords} records removed, ${result.replacedSegments} segments replaced, ` +
    `${readMiB.toFixed(1)} MiB read in ${seconds.toFixed(2)} s (${(readMiB / seconds).toFixed(0)} MiB/s)`)
} finally {
  await manager.close()
  directory.remove()
}

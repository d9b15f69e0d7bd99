// Micro-benchmark: append and read throughput of one partition log for batches of 100-byte
// records, under each flush policy. Run: npx node packages/log/src/partition-log.bench.ts [totalMiB]
import { openLogManager } from './log-manager.ts'
import type { LogManager } from './log-manager.ts'
import type { FlushPolicy } from './partition-log.ts'
import { makeBatch, systemClock, temporaryDirectory } from './testing/fixtures.ts'

const TOTAL_MIB = Number(process.argv[2] ?? 128)
const BATCHES_PER_TICK = 16 // appends in flight per event-loop turn (many producers/partitions)
const READ_MAX_BYTES = 1024 * 1024

async function run(flushPolicy: FlushPolicy, recordsPerBatch: number): Promise<void> {
  const directory = temporaryDirectory('tributary-log-bench-')
  const clock = systemClock
  const manager = await openLogManager({ dataDir: directory.path, flushPolicy, flushIntervalMs: 100, clock })
  try {
    manager.createTopic('bench', { partitionCount: 1, configs: { 'segment.bytes': String(1024 * 1024 * 1024) } })
    const log = manager.partition('bench', 0)
    // The same producer batch is appended again and again: append rewrites only its baseOffset.
    const batch = makeBatch({ count: recordsPerBatch, valueBytes: 100 })
    const batches = Math.ceil((TOTAL_MIB * 1024 * 1024) / batch.length)
    const appendStart = performance.now()
    for (let i = 0; i < batches; i += BATCHES_PER_TICK) {
      for (let j = 0; j < BATCHES_PER_TICK && i + j < batches; j++) log.append(batch, { timestampType: 'CreateTime', nowMs: clock.nowMs() })
      await log.awaitDurable()
      // A broker returns to the event loop between requests; so does the benchmark (timers run).
      await new Promise((resolve) => setImmediate(resolve))
    }
    await log.flush()
    const appendSeconds = (performance.now() - appendStart) / 1000
    const bytes = batches * batch.length
    const records = batches * recordsPerBatch

    const readStart = performance.now()
    let offset = 0n
    let readBytes = 0
    while (offset < log.highWatermark) {
      const result = log.read(offset, READ_MAX_BYTES)
      readBytes += result.records.length
      const view = new DataView(result.records.buffer, result.records.byteOffset, result.records.length)
      // Next offset: after the last batch of the chunk (walk batch lengths only).
      let position = 0
      let lastBatchPosition = 0
      while (position < result.records.length) {
        lastBatchPosition = position
        position += 12 + view.getInt32(position + 8)
      }
      offset = view.getBigInt64(lastBatchPosition) + BigInt(view.getInt32(lastBatchPosition + 23)) + 1n
    }
    const readSeconds = (performance.now() - readStart) / 1000
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(0)
    console.log(
      `${flushPolicy.padEnd(11)} append ${mib(bytes / appendSeconds).padStart(5)} MiB/s ${((records / appendSeconds) / 1e6).toFixed(2)} M records/s (${log.syncCount} fsyncs)` +
        ` | read ${mib(readBytes / readSeconds).padStart(5)} MiB/s ${((records / readSeconds) / 1e6).toFixed(2)} M records/s | ${mib(bytes)} MiB, ${batch.length} B batches`,
    )
    if (flushPolicy === 'os') await measureRecovery(directory.path, manager, bytes)
  } finally {
    await manager.close()
    directory.remove()
  }
}

/** Crash (no close) and reopen: the active segment is re-validated (framing + CRC-32C). */
async function measureRecovery(dataDir: string, manager: LogManager, bytes: number): Promise<void> {
  const activeBytes = manager.partition('bench', 0).segments.at(-1)?.sizeBytes ?? 0
  manager.abandon()
  const start = performance.now()
  const reopened = await openLogManager({ dataDir, flushPolicy: 'os', clock: systemClock })
  const seconds = (performance.now() - start) / 1000
  console.log(`recovery    ${(activeBytes / 1024 / 1024).toFixed(0)} MiB active segment of ${(bytes / 1024 / 1024).toFixed(0)} MiB re-validated in ${(seconds * 1000).toFixed(0)} ms (${(activeBytes / 1024 / 1024 / seconds).toFixed(0)} MiB/s)`)
  await reopened.close()
}

// 160 records ≈ 16 KiB, a producer's default batch.size; 10 records shows the per-batch cost.
for (const recordsPerBatch of [160, 10]) for (const policy of ['os', 'interval', 'every-batch'] as const) await run(policy, recordsPerBatch)

// The process side of a KafkaStreams worker (the test side is spawnWorker in kafka-harness.ts):
// runs `topology` with the settings the test passes in the environment — BOOTSTRAP, STATE_DIR,
// APPLICATION_ID, GUARANTEE (default exactly_once_v2), CACHE_MAX_BYTES (optional; 0 makes every
// update reach the output) — prints "RUNNING" when it gets there, exits (70) on ERROR so that
// the test sees it instead of waiting, and closes cleanly on SIGTERM.
import { KafkaStreams, type Topology } from '../src/index.ts'

export async function runWorker(topology: Topology): Promise<void> {
  const streams = new KafkaStreams(topology, {
    applicationId: process.env.APPLICATION_ID!,
    bootstrapServers: process.env.BOOTSTRAP!,
    stateDir: process.env.STATE_DIR!,
    processingGuarantee: process.env.GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once_v2',
    commitIntervalMs: 100,
    cacheMaxBytes: process.env.CACHE_MAX_BYTES === undefined ? undefined : Number(process.env.CACHE_MAX_BYTES),
    sessionTimeoutMs: 6_000,
    logger: { warn: (line) => process.stderr.write(`${line}\n`) },
  })
  streams.setStateListener((next, previous) => {
    if (process.env.DEBUG_KS) process.stderr.write(`[${process.pid}] ${previous} -> ${next}\n`)
    if (next === 'RUNNING') process.stdout.write('RUNNING\n')
    if (next === 'ERROR') {
      process.stderr.write(`ERROR: ${String((streams.error as Error | undefined)?.stack ?? streams.error)}\n`)
      process.exit(70)
    }
  })
  await streams.start()
  process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)))
}

// A KafkaStreams instance in its own process, for the exactly-once chaos test (which kills it
// with SIGKILL). Counts records per key under exactly_once_v2. Environment: BOOTSTRAP,
// STATE_DIR, APPLICATION_ID, CACHE_MAX_BYTES (optional). Prints "RUNNING" when it reached that state.
import { KafkaStreams, Serdes, StreamsBuilder } from '../src/index.ts'

const S = Serdes.String()
const L = Serdes.Long()
const builder = new StreamsBuilder()
builder.stream<string, string>('eos-in', { keySerde: S, valueSerde: S })
  .groupByKey()
  .count({ storeName: 'eos-counts' })
  .toStream()
  .to('eos-out', { keySerde: S, valueSerde: L })

const streams = new KafkaStreams(builder.build(), {
  applicationId: process.env.APPLICATION_ID!,
  bootstrapServers: process.env.BOOTSTRAP!,
  stateDir: process.env.STATE_DIR!,
  processingGuarantee: process.env.GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once_v2',
  commitIntervalMs: 100,
  // CACHE_MAX_BYTES=0: every count update reaches the output (the record cache would merge them).
  cacheMaxBytes: process.env.CACHE_MAX_BYTES === undefined ? undefined : Number(process.env.CACHE_MAX_BYTES),
  sessionTimeoutMs: 6_000,
  logger: { warn: (line) => process.stderr.write(`${line}\n`) },
})
streams.setStateListener((next, previous) => {
  if (process.env.DEBUG_KS) process.stderr.write(`[${process.pid}] ${previous} -> ${next}\n`)
  if (next === 'RUNNING') process.stdout.write('RUNNING\n')
  // An instance in ERROR processes nothing more: exit so that the test sees it instead of waiting.
  if (next === 'ERROR') {
    process.stderr.write(`ERROR: ${String((streams.error as Error | undefined)?.stack ?? streams.error)}\n`)
    process.exit(70)
  }
})
await streams.start()
process.on('SIGTERM', () => void streams.close().then(() => process.exit(0)))

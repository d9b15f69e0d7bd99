// A KafkaStreams instance in its own process for the click-enrichment chaos test
// (kafka-chaos.test.ts), which kills it with SIGKILL. Topology: clicks (key user id) joined
// with the user-profiles GlobalKTable (clicks of users without a profile are dropped), then a
// 1-minute tumbling count per user of the enriched clicks (persistent window store under
// STATE_DIR). Environment: BOOTSTRAP, STATE_DIR, APPLICATION_ID, GUARANTEE (default
// exactly_once_v2). Prints "RUNNING" when it reached that state.
import { KafkaStreams, Serdes, StreamsBuilder, TimeWindows, WindowedSerdes } from '../src/index.ts'
import { CHAOS_TOPICS, CHAOS_WINDOW_MS, CHAOS_GRACE_MS } from './kafka-chaos-data.ts'

const S = Serdes.String()
const builder = new StreamsBuilder()
const profiles = builder.globalTable<string, string>(CHAOS_TOPICS.profiles, { keySerde: S, valueSerde: S })
builder.stream<string, string>(CHAOS_TOPICS.clicks, { keySerde: S, valueSerde: S })
  .join(profiles, (userId) => userId, (page, profile) => `${page}|${profile}`)
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(CHAOS_WINDOW_MS, CHAOS_GRACE_MS))
  .count({ storeName: 'clicks-per-minute' })
  .toStream()
  .to(CHAOS_TOPICS.counts, { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, CHAOS_WINDOW_MS), valueSerde: Serdes.Long() })

const streams = new KafkaStreams(builder.build(), {
  applicationId: process.env.APPLICATION_ID!,
  bootstrapServers: process.env.BOOTSTRAP!,
  stateDir: process.env.STATE_DIR!,
  processingGuarantee: process.env.GUARANTEE === 'at_least_once' ? 'at_least_once' : 'exactly_once_v2',
  commitIntervalMs: 100,
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

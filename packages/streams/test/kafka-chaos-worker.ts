// A KafkaStreams instance in its own process for the click-enrichment chaos test
// (kafka-chaos.test.ts), which kills it with SIGKILL. Topology: clicks (key user id) joined
// with the user-profiles GlobalKTable (clicks of users without a profile are dropped), then a
// 1-minute tumbling count per user of the enriched clicks (persistent window store under
// STATE_DIR). Environment and process behaviour: kafka-worker-process.ts.
import { Serdes, StreamsBuilder, TimeWindows, WindowedSerdes } from '../src/index.ts'
import { runWorker } from './kafka-worker-process.ts'
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

await runWorker(builder.build())

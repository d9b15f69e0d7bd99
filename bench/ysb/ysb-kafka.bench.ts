// Yahoo Streaming Benchmark end to end on a broker: events are produced to `ad-events`, then
// (1) KafkaStreams runs the YSB topology (filter views → join ad → campaign GlobalKTable →
// repartition by campaign → 10 s tumbling count, final results on window close) and
// (2) a plain consumer loop does the same work by hand and produces its results.
// Both read the same topic from the start; the figure is events per second of wall time from
// start to "all events consumed and results written", and the two result sets must agree.
// Run: `npx node bench/ysb/ysb-kafka.bench.ts [events]` (default 20,000; on librdkafka's mock, which drops old data beyond a small retention, keep it small).
// Broker: our embedded broker when it serves consumer groups, else librdkafka's mock cluster.
import { createAdmin, createConsumer, createProducer, type ProducerRecord } from '@tributary/client'
import { startTestBroker } from '@tributary/testing'
import { KafkaStreams, Serdes, WindowedSerdes, planTopics } from '@tributary/streams'
import { startRefbroker } from '../../packages/client/test/refbroker.ts'
import { ADS, CAMPAIGNS, PlainWindowCounts, WINDOW_MS, adId, campaignId, ysbTopology, type AdEvent } from './ysb-model.ts'

const START_MS = 1_700_000_000_000
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function events(count: number): Uint8Array[] {
  let seed = 42
  const random = (bound: number): number => (seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) % bound
  const types = ['view', 'click', 'purchase']
  return Array.from({ length: count }, (_, index) => encoder.encode(JSON.stringify({
    user_id: `user-${random(100_000)}`, page_id: `page-${random(10_000)}`, ad_id: adId(random(ADS)), ad_type: 'banner',
    event_type: types[random(3)], event_time: START_MS + index, ip_address: `10.${random(256)}.${random(256)}.${random(256)}`,
  } satisfies AdEvent)))
}

const topology = (): ReturnType<typeof ysbTopology> => ysbTopology('ad-events')

async function startBroker(): Promise<{ name: string; bootstrapServers: string; createTopic(topic: string, partitions: number): Promise<void>; close(): Promise<void> }> {
  const embedded = await startTestBroker()
  const admin = createAdmin({ bootstrapServers: embedded.bootstrapServers })
  const groups = await admin.listGroups().then(() => true, () => false)
  await admin.close()
  if (groups) {
    return {
      name: 'embedded broker',
      bootstrapServers: embedded.bootstrapServers,
      createTopic: async (topic, partitions) => {
        const client = createAdmin({ bootstrapServers: embedded.bootstrapServers })
        await client.createTopics([{ topic, partitions }]).finally(() => client.close())
      },
      close: () => embedded.close(),
    }
  }
  await embedded.close()
  const reference = await startRefbroker({ brokers: 1 })
  if ('skip' in reference) throw new Error(reference.skip)
  return { name: 'refbroker (librdkafka mock; embedded broker has no groups yet)', bootstrapServers: reference.bootstrapServers, createTopic: reference.createTopic, close: reference.stop }
}

/** The plain loop: consume, parse, filter, look up, count per window, produce closed windows. */
async function plainLoop(bootstrapServers: string, total: number): Promise<{ elapsedMs: number; results: string[] }> {
  const started = performance.now()
  const consumer = createConsumer({ bootstrapServers, groupId: 'ysb-plain', autoOffsetReset: 'earliest', maxPollRecords: 5_000 })
  const producer = createProducer({ bootstrapServers, idempotent: true, lingerMs: 5 })
  const windows = new PlainWindowCounts()
  const results: string[] = []
  let consumed = 0
  consumer.subscribe(['ad-events'])
  while (consumed < total) {
    const batch = await consumer.poll({ timeoutMs: 500 })
    const out: ProducerRecord[] = []
    const emit = (campaign: string, windowStart: number, count: number): void => {
      results.push(`${campaign}@${windowStart}=${count}`)
      out.push({ topic: 'plain-counts', key: encoder.encode(`${campaign}@${windowStart}`), value: encoder.encode(String(count)) })
    }
    for (const record of batch) {
      consumed++
      windows.add(JSON.parse(decoder.decode(record.value!)) as AdEvent, emit)
    }
    if (out.length > 0) await producer.send(out)
    if (batch.length > 0) await consumer.commit()
  }
  await producer.flush()
  const elapsedMs = performance.now() - started
  await producer.close()
  await consumer.close()
  return { elapsedMs, results: results.sort() }
}

async function streamsRun(bootstrapServers: string, total: number, expectedResults: number): Promise<{ elapsedMs: number; results: string[] }> {
  const windowed = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS)
  const started = performance.now()
  const streams = new KafkaStreams(topology(), { applicationId: 'ysb', bootstrapServers, commitIntervalMs: 1_000, maxPollRecords: 5_000, logger: { warn: () => undefined } })
  await streams.start()
  const results: string[] = []
  const consumer = createConsumer({ bootstrapServers, autoOffsetReset: 'earliest' })
  consumer.assign([{ topic: 'campaign-counts', partition: 0 }])
  while (results.length < expectedResults || streams.metrics().recordsIn < total) {
    for (const record of await consumer.poll({ timeoutMs: 200 })) {
      const key = windowed.deserialize('campaign-counts', record.key!)!
      results.push(`${key.key}@${key.window.startMs}=${Serdes.Long().deserialize('campaign-counts', record.value!)}`)
    }
    if (performance.now() - started > 600_000) throw new Error('KafkaStreams did not finish within 10 minutes')
  }
  const elapsedMs = performance.now() - started
  await consumer.close()
  await streams.close()
  return { elapsedMs, results: results.sort() }
}

const total = Number(process.argv[2] ?? 20_000)
const broker = await startBroker()
try {
  const plan = planTopics(topology(), 'ysb', new Map([['ad-events', 1]]))
  for (const topic of ['ad-events', 'ad-campaigns', 'campaign-counts', 'plain-counts']) await broker.createTopic(topic, 1)
  if (broker.name !== 'embedded broker') for (const topic of plan.internalTopics) await broker.createTopic(topic.topic, topic.partitions)
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, idempotent: true, lingerMs: 5 })
  await producer.send(Array.from({ length: ADS }, (_, index) => ({ topic: 'ad-campaigns', key: encoder.encode(adId(index)), value: encoder.encode(campaignId(index % CAMPAIGNS)) })))
  const input = events(total)
  for (let from = 0; from < input.length; from += 2_000) await producer.send(input.slice(from, from + 2_000).map((value) => ({ topic: 'ad-events', key: null, value })))
  await producer.close()
  const plain = await plainLoop(broker.bootstrapServers, total)
  const streams = await streamsRun(broker.bootstrapServers, total, plain.results.length)
  if (plain.results.join('\n') !== streams.results.join('\n')) throw new Error(`results differ: plain ${plain.results.length} rows, KafkaStreams ${streams.results.length} rows`)
  const rate = (elapsedMs: number): string => Math.round(total / (elapsedMs / 1000)).toLocaleString('en-US')
  console.log(`YSB end to end on ${broker.name}: ${total} events, 1 partition, ${plain.results.length} window results (identical)`)
  console.log(`  plain consumer loop:          ${rate(plain.elapsedMs)} events/s (${Math.round(plain.elapsedMs)} ms)`)
  console.log(`  KafkaStreams at_least_once:   ${rate(streams.elapsedMs)} events/s (${Math.round(streams.elapsedMs)} ms, includes start-up and group join)`)
  console.log(`  ratio KafkaStreams/plain:     ${(plain.elapsedMs / streams.elapsedMs).toFixed(2)}`)
} finally {
  await broker.close()
}

// Yahoo Streaming Benchmark query through the TopologyTestDriver (pure processing, no broker):
// JSON ad events → keep views → join ad → campaign → 10 s tumbling count per campaign.
// The same work is done by a hand-written TypeScript loop in the same run; the ratio between
// the two is the framework's overhead. Run: `npx node bench/streams/ysb.bench.ts [events]`.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StreamsBuilder, Serdes, TimeWindows, EmitStrategy, WindowedSerdes } from '@tributary/streams'
import { TopologyTestDriver } from '@tributary/streams/testing'

interface AdEvent {
  user_id: string
  page_id: string
  ad_id: string
  ad_type: string
  event_type: string
  event_time: number
  ip_address: string
}

export interface YsbFigures {
  readonly events: number
  readonly topologyEventsPerSecond: number
  readonly handWrittenEventsPerSecond: number
  /** topology / hand-written; the target is ≥ 0.5 (overhead ≤ 2×). */
  readonly ratio: number
  readonly windowResults: number
}

const CAMPAIGNS = 100
const ADS_PER_CAMPAIGN = 10
const WINDOW_MS = 10_000
const START_MS = 1_700_000_000_000
const adTypes = ['banner', 'modal', 'sponsored-search', 'mail', 'mobile']
const eventTypes = ['view', 'click', 'purchase']
const encoder = new TextEncoder()
// The same validating decoder as Serdes.Json(): invalid UTF-8 is an error in both implementations.
const decoder = new TextDecoder('utf-8', { fatal: true })

function adId(index: number): string {
  return `ad-${String(index).padStart(4, '0')}`
}

function campaignId(index: number): string {
  return `campaign-${String(index).padStart(3, '0')}`
}

/** Deterministic events, one per millisecond, already serialized (as read from a topic). */
function generateEvents(count: number): Uint8Array[] {
  let seed = 42
  const random = (bound: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
    return seed % bound
  }
  const events: Uint8Array[] = []
  for (let index = 0; index < count; index++) {
    const event: AdEvent = {
      user_id: `user-${random(100_000)}`,
      page_id: `page-${random(10_000)}`,
      ad_id: adId(random(CAMPAIGNS * ADS_PER_CAMPAIGN)),
      ad_type: adTypes[random(adTypes.length)],
      event_type: eventTypes[random(eventTypes.length)],
      event_time: START_MS + index,
      ip_address: `10.${random(256)}.${random(256)}.${random(256)}`,
    }
    events.push(encoder.encode(JSON.stringify(event)))
  }
  return events
}

/** Final count rows, `campaign@windowStart=count`, sorted, for comparing both implementations. */
type Results = string[]

function runTopology(events: Uint8Array[]): { elapsedMs: number; results: Results } {
  const builder = new StreamsBuilder()
  const adCampaigns = builder.globalTable<string, string>('ad-campaigns', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  builder.stream<null, AdEvent>('ad-events', { keySerde: Serdes.Void(), valueSerde: Serdes.Json<AdEvent>(), timestampExtractor: (record) => (record.value as AdEvent).event_time })
    .filter((_key, event) => event.event_type === 'view')
    .mapValues((event) => ({ ad_id: event.ad_id, event_time: event.event_time }))
    .join(adCampaigns, (_key, event) => event.ad_id, (_event, campaign) => campaign)
    .groupBy((_key, campaign) => campaign, { keySerde: Serdes.String(), valueSerde: Serdes.String(), name: 'by-campaign' })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count()
    .toStream()
    .to('campaign-counts')
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ysb', captureInternalTopics: false })
  const campaigns = driver.createInputTopic('ad-campaigns', Serdes.String(), Serdes.String())
  for (let index = 0; index < CAMPAIGNS * ADS_PER_CAMPAIGN; index++) campaigns.pipeInput(adId(index), campaignId(index % CAMPAIGNS), 0)
  const input = driver.createInputTopic('ad-events', Serdes.Void(), Serdes.Bytes())
  const output = driver.createOutputTopic('campaign-counts', WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS), Serdes.Long())
  const results: Results = []
  const started = cpuTimeMs()
  for (let index = 0; index < events.length; index++) {
    input.pipeInput(null, events[index], 0)
    if ((index & 4095) === 4095) {
      for (const record of output.readRecordsToList()) results.push(`${record.key!.key}@${record.key!.window.startMs}=${record.value}`)
    }
  }
  for (const record of output.readRecordsToList()) results.push(`${record.key!.key}@${record.key!.window.startMs}=${record.value}`)
  const elapsedMs = cpuTimeMs() - started
  driver.close()
  return { elapsedMs, results: results.sort() }
}

/** The same query written by hand: parse, filter, look up, count per window, emit closed windows. */
function runHandWritten(events: Uint8Array[]): { elapsedMs: number; results: Results } {
  const adToCampaign = new Map<string, string>()
  for (let index = 0; index < CAMPAIGNS * ADS_PER_CAMPAIGN; index++) adToCampaign.set(adId(index), campaignId(index % CAMPAIGNS))
  const open = new Map<number, Map<string, number>>()
  const results: Results = []
  let streamTimeMs = -1
  const started = cpuTimeMs()
  for (let index = 0; index < events.length; index++) {
    const event = JSON.parse(decoder.decode(events[index])) as AdEvent
    streamTimeMs = Math.max(streamTimeMs, event.event_time)
    for (const [windowStart, counts] of open) {
      if (windowStart + WINDOW_MS > streamTimeMs) continue
      for (const [campaign, count] of counts) results.push(`${campaign}@${windowStart}=${count}`)
      open.delete(windowStart)
    }
    if (event.event_type !== 'view') continue
    const campaign = adToCampaign.get(event.ad_id)
    if (campaign === undefined) continue
    const windowStart = event.event_time - (event.event_time % WINDOW_MS)
    if (windowStart + WINDOW_MS <= streamTimeMs) continue
    let counts = open.get(windowStart)
    if (counts === undefined) open.set(windowStart, (counts = new Map()))
    counts.set(campaign, (counts.get(campaign) ?? 0) + 1)
  }
  const elapsedMs = cpuTimeMs() - started
  return { elapsedMs, results: results.sort() }
}

/**
 * CPU time of this process (user + system), in ms: events per second of CPU is "per core" and
 * is far less disturbed than wall time by other processes sharing the machine.
 */
function cpuTimeMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Runs both implementations `rounds` times on the same events; reports the best round of each. */
export function run(events = 200_000, rounds = 7): YsbFigures {
  const input = generateEvents(events)
  let topologyBestMs = Number.POSITIVE_INFINITY
  let handBestMs = Number.POSITIVE_INFINITY
  let windowResults = 0
  for (let round = 0; round < rounds; round++) {
    // Alternate which one runs first so neither always gets the warmer (or noisier) slot.
    const handFirst = round % 2 === 0
    const hand = handFirst ? runHandWritten(input) : undefined
    const topology = runTopology(input)
    const handResult = hand ?? runHandWritten(input)
    if (handResult.results.join('\n') !== topology.results.join('\n')) {
      throw new Error(`YSB results differ: topology ${topology.results.length} rows, hand-written ${handResult.results.length} rows`)
    }
    windowResults = topology.results.length
    topologyBestMs = Math.min(topologyBestMs, topology.elapsedMs)
    handBestMs = Math.min(handBestMs, handResult.elapsedMs)
  }
  const topologyEventsPerSecond = Math.round(events / (topologyBestMs / 1000))
  const handWrittenEventsPerSecond = Math.round(events / (handBestMs / 1000))
  return { events, topologyEventsPerSecond, handWrittenEventsPerSecond, ratio: topologyEventsPerSecond / handWrittenEventsPerSecond, windowResults }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const events = Number(process.argv[2] ?? 200_000)
  const figures = run(events)
  console.log(`YSB (${figures.events} events, ${figures.windowResults} window results, best of 7 rounds, CPU time of one core)`)
  console.log(`  topology (TopologyTestDriver): ${figures.topologyEventsPerSecond.toLocaleString('en-US')} events/s`)
  console.log(`  hand-written loop:             ${figures.handWrittenEventsPerSecond.toLocaleString('en-US')} events/s`)
  console.log(`  ratio topology/hand-written:   ${figures.ratio.toFixed(2)} (target ≥ 0.50)`)
}

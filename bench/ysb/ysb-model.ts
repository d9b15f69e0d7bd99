// The YSB model shared by the end-to-end benches: ad events (JSON), the ad → campaign table,
// the KafkaStreams topology (filter views → join ad → campaign GlobalKTable → repartition by
// campaign → 10 s tumbling count, final results on window close) and the broker child process.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { EmitStrategy, Serdes, StreamsBuilder, TimeWindows, WindowedSerdes } from '@tributary/streams'

export interface AdEvent { user_id: string; page_id: string; ad_id: string; ad_type: string; event_type: string; event_time: number; ip_address: string }

export const CAMPAIGNS = 100
export const ADS = CAMPAIGNS * 10
export const WINDOW_MS = 10_000
export const COUNT_STORE = 'campaign-window-counts'
const encoder = new TextEncoder()
export const adId = (index: number): string => `ad-${String(index).padStart(4, '0')}`
export const campaignId = (index: number): string => `campaign-${String(index).padStart(3, '0')}`
export const campaignOfAd = (adIndex: number): string => campaignId(adIndex % CAMPAIGNS)
export const windowStartOf = (timestampMs: number): number => timestampMs - (timestampMs % WINDOW_MS)

/** A deterministic event source: `next(eventTimeMs)` returns the encoded event and, for views, its campaign. */
export function eventSource(seed = 42): (eventTimeMs: number) => { value: Uint8Array; campaign: string | null } {
  let state = seed
  const random = (bound: number): number => (state = (state * 1_103_515_245 + 12_345) & 0x7fffffff) % bound
  const types = ['view', 'click', 'purchase']
  return (eventTimeMs) => {
    const ad = random(ADS)
    const eventType = types[random(3)]!
    const event: AdEvent = {
      user_id: `user-${random(100_000)}`, page_id: `page-${random(10_000)}`, ad_id: adId(ad), ad_type: 'banner',
      event_type: eventType, event_time: eventTimeMs, ip_address: `10.${random(256)}.${random(256)}.${random(256)}`,
    }
    return { value: encoder.encode(JSON.stringify(event)), campaign: eventType === 'view' ? campaignOfAd(ad) : null }
  }
}

/**
 * The views of `eventSource(seed)` without encoding the events: `next()` draws the same random
 * numbers and returns the campaign of a view, null for other events. The bench's poller knows
 * from it what the generator (in its own thread) sends.
 */
export function viewPlan(seed = 42): () => string | null {
  let state = seed
  const random = (bound: number): number => (state = (state * 1_103_515_245 + 12_345) & 0x7fffffff) % bound
  return () => {
    const ad = random(ADS)
    const view = random(3) === 0
    for (let draw = 0; draw < 5; draw++) random(1) // user, page, three ip octets
    return view ? campaignOfAd(ad) : null
  }
}

export function adCampaignRecords(): { topic: string; key: Uint8Array; value: Uint8Array }[] {
  return Array.from({ length: ADS }, (_, index) => ({ topic: 'ad-campaigns', key: encoder.encode(adId(index)), value: encoder.encode(campaignOfAd(index)) }))
}

/**
 * The YSB query written by hand, as the plain consumer loops run it: counts views per campaign
 * per 10 s window in Maps; `add` first closes (passes to `onClosed`, then forgets) every window
 * the event's time has passed, then counts the event if it is a view.
 */
export class PlainWindowCounts {
  readonly #adToCampaign = new Map(Array.from({ length: ADS }, (_, index) => [adId(index), campaignOfAd(index)]))
  readonly #open = new Map<number, Map<string, number>>()
  #streamTimeMs = -1

  add(event: AdEvent, onClosed: (campaign: string, windowStartMs: number, count: number) => void): void {
    this.#streamTimeMs = Math.max(this.#streamTimeMs, event.event_time)
    for (const [windowStart, counts] of this.#open) {
      if (windowStart + WINDOW_MS > this.#streamTimeMs) continue
      for (const [campaign, count] of counts) onClosed(campaign, windowStart, count)
      this.#open.delete(windowStart)
    }
    if (event.event_type !== 'view') return
    const campaign = this.#adToCampaign.get(event.ad_id)!
    const windowStart = windowStartOf(event.event_time)
    let counts = this.#open.get(windowStart)
    if (counts === undefined) this.#open.set(windowStart, (counts = new Map()))
    counts.set(campaign, (counts.get(campaign) ?? 0) + 1)
  }

  /** The count of an open window, or null. */
  count(campaign: string, windowStartMs: number): number | null {
    return this.#open.get(windowStartMs)?.get(campaign) ?? null
  }
}

export function ysbTopology(sourceTopic: string): ReturnType<StreamsBuilder['build']> {
  const builder = new StreamsBuilder()
  const campaigns = builder.globalTable<string, string>('ad-campaigns', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  builder.stream<null, AdEvent>(sourceTopic, { keySerde: Serdes.Void(), valueSerde: Serdes.Json<AdEvent>(), timestampExtractor: (record) => (record.value as AdEvent).event_time })
    .filter((_key, event) => event.event_type === 'view')
    .mapValues((event) => ({ ad_id: event.ad_id, event_time: event.event_time }))
    .join(campaigns, (_key, event) => event.ad_id, (_event, campaign) => campaign)
    .groupBy((_key, campaign) => campaign, { keySerde: Serdes.String(), valueSerde: Serdes.String(), name: 'by-campaign' })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count({ storeName: COUNT_STORE })
    .toStream()
    .to('campaign-counts', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS), valueSerde: Serdes.Long() })
  return builder.build()
}

export interface BrokerProcess {
  readonly bootstrapServers: string
  readonly pid: number
  close(): Promise<void>
}

/**
 * Our broker in a child process (`tributary broker`), so the bench process's CPU time counts
 * only client work. `flushPolicy` 'os' is Kafka's own default (no explicit fsync).
 */
export async function startBrokerProcess(flushPolicy: string): Promise<BrokerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-ysb-'))
  const cli = join(import.meta.dirname, '..', '..', 'bin', 'tributary.js')
  const child: ChildProcess = spawn(process.execPath, [cli, 'broker', '--port', '0', '--data-dir', dataDir, '--flush-policy', flushPolicy, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = (): void => void child.kill('SIGKILL') // a crashed bench must not leave its broker behind
  process.once('exit', killOnExit)
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const match = /^listening on (\S+)$/.exec(line)
      if (match !== null) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`broker exited with code ${code} before listening`)))
  })
  return {
    bootstrapServers: address,
    pid: child.pid!,
    async close() {
      process.off('exit', killOnExit)
      child.kill('SIGTERM')
      await exited
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

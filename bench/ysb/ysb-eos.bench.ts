// YSB end to end with fixed offered loads: (1) maximum sustained throughput — a pre-loaded
// `ad-events` topic drained by the plain loop, KafkaStreams at_least_once and exactly_once_v2,
// events/s of wall time and per core of this process's CPU time (the broker runs in a child
// process); (2) latency — a paced generator at a fraction (default 50 %) of the exactly-once
// maximum for YSB_PACED_SECONDS, each view event's latency = the moment the count of its
// (campaign, window) first includes it in the store (interactive query / the plain Map, polled
// every YSB_POLL_MS) minus its event time (= its scheduled send time, so generator lag counts).
// Run: `npx node bench/ysb/ysb-eos.bench.ts` (env knobs in optionsFromEnvironment).
import { createAdmin, createProducer } from '@tributary/client'
import { startApp, type Mode, type YsbApp } from './ysb-apps.ts'
import { CAMPAIGNS, adCampaignRecords, campaignId, eventSource, startBrokerProcess, viewPlan, windowStartOf, type BrokerProcess } from './ysb-model.ts'
import type { GeneratorData, GeneratorResult } from './ysb-generator.ts'
import { Worker } from 'node:worker_threads'
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

export interface YsbEosOptions {
  readonly events: number
  readonly pacedSeconds: number
  readonly loadFraction: number
  readonly pollMs: number
  readonly warmupMs: number
  readonly eosCommitIntervalMs: number
  readonly alosCommitIntervalMs: number
  readonly maxPollRecords: number
  readonly flushPolicy: string
  readonly drainModes: readonly Mode[]
  readonly latencyModes: readonly Mode[]
  /** KafkaStreams' cacheMaxBytes; undefined: its default (10 MiB). */
  readonly cacheMaxBytes: number | undefined
  /** KafkaStreams' pollMs (its consumer's fetch wait too); undefined: its default (100). */
  readonly streamsPollMs: number | undefined
}

export interface Throughput { mode: Mode; events: number; wallMs: number; cpuMs: number; brokerCpuMs: number; eventsPerSecond: number; eventsPerCoreSecond: number }
export interface Latency { mode: Mode; offeredPerSecond: number; sentPerSecond: number; samples: number; unmeasured: number; p50Ms: number; p99Ms: number; maxMs: number }
export interface YsbEosResult { throughput: Throughput[]; latency: Latency[] }

const MODES: readonly Mode[] = ['plain', 'at_least_once', 'exactly_once_v2']
const START_MS = 1_700_000_000_000

const modes = (list: string | undefined): Mode[] => (list ?? MODES.join(',')).split(',').filter((mode): mode is Mode => (MODES as string[]).includes(mode))

export function optionsFromEnvironment(): YsbEosOptions {
  const number = (name: string, fallback: number): number => Number(process.env[name] ?? fallback)
  return {
    events: number('YSB_EVENTS', 200_000),
    pacedSeconds: number('YSB_PACED_SECONDS', 20),
    loadFraction: number('YSB_LOAD_FRACTION', 0.5),
    pollMs: number('YSB_POLL_MS', 2),
    warmupMs: number('YSB_WARMUP_MS', 2_000),
    eosCommitIntervalMs: number('YSB_EOS_COMMIT_INTERVAL_MS', 100),
    alosCommitIntervalMs: number('YSB_ALOS_COMMIT_INTERVAL_MS', 30_000),
    maxPollRecords: number('YSB_MAX_POLL_RECORDS', 5_000),
    flushPolicy: process.env.YSB_FLUSH_POLICY ?? 'os',
    drainModes: modes(process.env.YSB_DRAIN_MODES),
    latencyModes: modes(process.env.YSB_LATENCY_MODES),
    cacheMaxBytes: process.env.YSB_CACHE_MAX_BYTES === undefined ? undefined : Number(process.env.YSB_CACHE_MAX_BYTES),
    streamsPollMs: process.env.YSB_STREAMS_POLL_MS === undefined ? undefined : Number(process.env.YSB_STREAMS_POLL_MS),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const cpuMsNow = (): number => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1000 }
/** utime + stime of another process from /proc (clock ticks of 10 ms on Linux). */
const processCpuMs = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return Number.NaN
  }
}

async function createTopics(bootstrapServers: string, topics: string[]): Promise<void> {
  const admin = createAdmin({ bootstrapServers })
  await admin.createTopics(topics.map((topic) => ({ topic, partitions: 1 }))).finally(() => admin.close())
}

/** Pre-loads `events` events (one per ms of event time); returns the views per campaign of the last window. */
async function preload(bootstrapServers: string, events: number): Promise<{ lastWindowStartMs: number; lastWindowViews: number; views: number }> {
  const producer = createProducer({ bootstrapServers, idempotent: true, lingerMs: 5 })
  const next = eventSource()
  const lastWindowStartMs = windowStartOf(START_MS + events - 1)
  let views = 0
  let lastWindowViews = 0
  for (let from = 0; from < events; from += 2_000) {
    const batch = []
    for (let index = from; index < Math.min(events, from + 2_000); index++) {
      const event = next(START_MS + index)
      if (event.campaign !== null) {
        views++
        if (START_MS + index >= lastWindowStartMs) lastWindowViews++
      }
      batch.push({ topic: 'ad-events', key: null, value: event.value })
    }
    await producer.send(batch)
  }
  await producer.close()
  return { lastWindowStartMs, lastWindowViews, views }
}

function lastWindowTotal(app: YsbApp, windowStartMs: number): number {
  let total = 0
  for (let index = 0; index < CAMPAIGNS; index++) total += app.count(campaignId(index), windowStartMs) ?? 0
  return total
}

async function drain(broker: BrokerProcess, mode: Mode, options: YsbEosOptions, loaded: Awaited<ReturnType<typeof preload>>): Promise<Throughput> {
  const app = await startApp(mode, {
    bootstrapServers: broker.bootstrapServers, sourceTopic: 'ad-events', applicationId: `ysb-drain-${mode}`, maxPollRecords: options.maxPollRecords,
    commitIntervalMs: mode === 'exactly_once_v2' ? options.eosCommitIntervalMs : options.alosCommitIntervalMs, cacheMaxBytes: options.cacheMaxBytes, streamsPollMs: options.streamsPollMs,
  })
  const target = mode === 'plain' ? options.events : options.events + loaded.views // KafkaStreams counts source and repartition records
  const deadline = performance.now() + 300_000
  await waitReady(app, mode)
  const progressAtStart = app.progress() // records handled before the first observation are left out of the figure
  const events = options.events * (1 - progressAtStart / target)
  const profiler = await startProfile()
  const startedMs = performance.now()
  const startedCpuMs = cpuMsNow()
  const startedBrokerCpuMs = processCpuMs(broker.pid)
  while (app.progress() < target || lastWindowTotal(app, loaded.lastWindowStartMs) < loaded.lastWindowViews) {
    if (performance.now() > deadline) throw new Error(`${mode}: not drained within 5 minutes (progress ${app.progress()} of ${target})`)
    await sleep(5)
  }
  const wallMs = performance.now() - startedMs
  const cpuMs = cpuMsNow() - startedCpuMs
  const brokerCpuMs = processCpuMs(broker.pid) - startedBrokerCpuMs
  await stopProfile(profiler, `drain-${mode}`)
  if (lastWindowTotal(app, loaded.lastWindowStartMs) !== loaded.lastWindowViews) throw new Error(`${mode}: last window counts ${lastWindowTotal(app, loaded.lastWindowStartMs)} views, expected ${loaded.lastWindowViews}`)
  await app.close()
  return { mode, events: Math.round(events), wallMs, cpuMs, brokerCpuMs, eventsPerSecond: events / (wallMs / 1000), eventsPerCoreSecond: events / (cpuMs / 1000) }
}

/** YSB_PROFILE_DIR: a V8 CPU profile of each drain phase alone (bench/broker/cpuprofile-summary.ts reads it). */
async function startProfile(): Promise<Session | null> {
  if (process.env.YSB_PROFILE_DIR === undefined) return null
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return session
}

async function stopProfile(session: Session | null, name: string): Promise<void> {
  if (session === null) return
  const { profile } = await session.post('Profiler.stop')
  writeFileSync(join(process.env.YSB_PROFILE_DIR!, `${name}.cpuprofile`), JSON.stringify(profile))
  session.disconnect()
}

async function waitReady(app: YsbApp, mode: Mode): Promise<void> {
  const deadline = performance.now() + 60_000
  while (!app.ready()) {
    if (performance.now() > deadline) throw new Error(`${mode}: no partitions assigned within 60 s`)
    await sleep(1)
  }
}

interface PendingKey { campaign: string; windowStartMs: number; sentMs: number[]; seen: number }

async function paced(broker: BrokerProcess, mode: Mode, ratePerSecond: number, options: YsbEosOptions): Promise<Latency> {
  const topic = `ad-events-paced-${mode}`
  await createTopics(broker.bootstrapServers, [topic])
  const app = await startApp(mode, {
    bootstrapServers: broker.bootstrapServers, sourceTopic: topic, applicationId: `ysb-paced-${mode}`, maxPollRecords: options.maxPollRecords,
    commitIntervalMs: mode === 'exactly_once_v2' ? options.eosCommitIntervalMs : options.alosCommitIntervalMs, cacheMaxBytes: options.cacheMaxBytes, streamsPollMs: options.streamsPollMs,
  })
  await waitReady(app, mode)
  const keys = new Map<string, PendingKey>()
  const pending = new Set<PendingKey>()
  const latencies: number[] = []
  let unmeasured = 0
  const startMs = Date.now() + 200 // the worker starts producing at startMs
  const endMs = startMs + options.pacedSeconds * 1000
  const measureFromMs = startMs + options.warmupMs
  const total = Math.floor(options.pacedSeconds * ratePerSecond)
  const generatorData: GeneratorData = { bootstrapServers: broker.bootstrapServers, topic, ratePerSecond, startMs, pacedSeconds: options.pacedSeconds, seed: 7 }
  const worker = new Worker(new URL('./ysb-generator.ts', import.meta.url), { workerData: generatorData })
  const generated = new Promise<GeneratorResult>((resolve, reject) => {
    worker.once('message', (result: GeneratorResult) => resolve(result))
    worker.once('error', reject)
  })
  // The views of every event due by now (the worker's schedule), whether or not the worker has sent it yet.
  const plan = viewPlan(7)
  let scheduled = 0
  const schedule = (now: number): void => {
    const due = Math.min(Math.floor(((now - startMs) * ratePerSecond) / 1000), total)
    for (; scheduled < due; scheduled++) {
      const campaign = plan()
      if (campaign === null) continue
      const eventTimeMs = Math.floor(startMs + (scheduled * 1000) / ratePerSecond)
      const windowStartMs = windowStartOf(eventTimeMs)
      const name = `${campaign}@${windowStartMs}`
      let key = keys.get(name)
      if (key === undefined) keys.set(name, (key = { campaign, windowStartMs, sentMs: [], seen: 0 }))
      key.sentMs.push(eventTimeMs)
      pending.add(key)
    }
  }
  const poll = (): void => {
    const now = Date.now()
    for (const key of pending) {
      const count = app.count(key.campaign, key.windowStartMs)
      if (count === null) {
        if (now > key.windowStartMs + 12_000) { // window closed and expired before the poller saw its last updates
          unmeasured += key.sentMs.length - key.seen
          key.seen = key.sentMs.length
          pending.delete(key)
        }
        continue
      }
      for (; key.seen < Math.min(count, key.sentMs.length); key.seen++) {
        if (key.sentMs[key.seen]! >= measureFromMs) latencies.push(now - key.sentMs[key.seen]!)
      }
      if (key.seen === key.sentMs.length) pending.delete(key)
    }
  }
  while (Date.now() < endMs || scheduled < total || (pending.size > 0 && Date.now() < endMs + 5_000)) {
    schedule(Date.now())
    poll()
    await sleep(options.pollMs)
  }
  const result = await generated
  await worker.terminate()
  if (result.error !== undefined) throw new Error(`${mode}: the generator's send failed: ${result.error}`)
  const sent = result.sent
  for (const key of pending) unmeasured += key.sentMs.length - key.seen
  if (app.latencies !== undefined) console.log(`[paced ${mode}] ${app.latencies()}`)
  await app.close()
  latencies.sort((a, b) => a - b)
  const at = (quantile: number): number => latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN
  return { mode, offeredPerSecond: ratePerSecond, sentPerSecond: sent / options.pacedSeconds, samples: latencies.length, unmeasured, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1) ?? Number.NaN }
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US')

export function printResult(result: YsbEosResult, options: YsbEosOptions): void {
  const plain = result.throughput.find((figure) => figure.mode === 'plain')
  console.log(`\nYSB end to end, embedded broker in a child process (--flush-policy ${options.flushPolicy}), 1 partition per topic, ${format(options.events)} pre-loaded events`)
  console.log(`commitIntervalMs: exactly_once_v2 ${options.eosCommitIntervalMs}, at_least_once ${options.alosCommitIntervalMs}; maxPollRecords ${options.maxPollRecords}; cacheMaxBytes ${options.cacheMaxBytes ?? 'default'}\n`)
  console.log('| implementation | events/s (wall) | events/s per core (bench CPU) | bench CPU ms | broker CPU ms | ratio to plain (per core) | ratio to plain (wall) |')
  console.log('|---|---|---|---|---|---|---|')
  for (const figure of result.throughput) {
    const ratioCore = plain === undefined ? '–' : (figure.eventsPerCoreSecond / plain.eventsPerCoreSecond).toFixed(2)
    const ratioWall = plain === undefined ? '–' : (figure.eventsPerSecond / plain.eventsPerSecond).toFixed(2)
    console.log(`| ${figure.mode} | ${format(figure.eventsPerSecond)} | ${format(figure.eventsPerCoreSecond)} | ${format(figure.cpuMs)} | ${format(figure.brokerCpuMs)} | ${ratioCore} | ${ratioWall} |`)
  }
  if (result.latency.length === 0) return
  console.log(`\nLatency, event time → count visible in the store (polled every ${options.pollMs} ms), ${options.pacedSeconds} s paced, first ${options.warmupMs} ms not measured\n`)
  console.log('| implementation | offered events/s | sent events/s | samples | unmeasured | p50 ms | p99 ms | max ms |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const figure of result.latency) {
    console.log(`| ${figure.mode} | ${format(figure.offeredPerSecond)} | ${format(figure.sentPerSecond)} | ${figure.samples} | ${figure.unmeasured} | ${figure.p50Ms} | ${figure.p99Ms} | ${figure.maxMs} |`)
  }
}

export async function run(options: YsbEosOptions = optionsFromEnvironment()): Promise<YsbEosResult> {
  const broker = await startBrokerProcess(options.flushPolicy)
  try {
    await createTopics(broker.bootstrapServers, ['ad-events', 'ad-campaigns', 'campaign-counts', 'plain-counts'])
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers, idempotent: true, lingerMs: 5 })
    await producer.send(adCampaignRecords())
    await producer.close()
    const preloadStartedMs = performance.now()
    const loaded = await preload(broker.bootstrapServers, options.events)
    console.log(`[preload] ${format(options.events)} events (${format(loaded.views)} views) in ${format(performance.now() - preloadStartedMs)} ms`)
    const throughput: Throughput[] = []
    for (const mode of options.drainModes) {
      const figure = await drain(broker, mode, options, loaded)
      throughput.push(figure)
      console.log(`[drain ${mode}] ${format(figure.eventsPerSecond)} events/s wall, ${format(figure.eventsPerCoreSecond)} events/s per core (${format(figure.wallMs)} ms, ${format(figure.cpuMs)} ms CPU, broker ${format(figure.brokerCpuMs)} ms CPU)`)
    }
    const eos = throughput.find((figure) => figure.mode === 'exactly_once_v2') ?? throughput[0]
    const rate = Math.max(1, Math.round((eos?.eventsPerSecond ?? Number(process.env.YSB_RATE ?? 10_000)) * options.loadFraction))
    const latency: Latency[] = []
    for (const mode of options.latencyModes) {
      const figure = await paced(broker, mode, rate, options)
      latency.push(figure)
      console.log(`[paced ${mode}] ${format(figure.sentPerSecond)} events/s for ${options.pacedSeconds} s: p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, max ${figure.maxMs} ms (${figure.samples} samples, ${figure.unmeasured} unmeasured)`)
    }
    const result = { throughput, latency }
    printResult(result, options)
    return result
  } finally {
    await broker.close()
  }
}

if (import.meta.main) await run()

// Broker throughput: kcat produce and consume against OUR broker (flush policy `os`, data on
// disk) and against refbroker (librdkafka's in-memory mock) in the same run, 100 B and 1 KiB
// records over several partitions. Reports records/s, MB/s (10^6 bytes of record values), broker
// CPU and peak RSS per phase, and the ours/refbroker ratios. Method and caveats: README.md.
//
// Run: npx node bench/broker/broker.bench.ts [--quick]
// Env: BENCH_BROKER_TARGETS=ours,refbroker  BENCH_BROKER_SIZES=100,1024  BENCH_BROKER_PARTITIONS=64
//      BENCH_BROKER_RECORDS_100=1000000  BENCH_BROKER_RECORDS_1024=250000 (BENCH_BROKER_RECORDS_<size>, "spread" scenario)
//      BENCH_BROKER_SCENARIOS=spread,sticky  BENCH_BROKER_STICKY_RECORDS_100=200000  BENCH_BROKER_STICKY_PARTITIONS=256
//      (README.md, "Scenarios")
//      BENCH_BROKER_REPEAT=5 (runs per combination; each phase reports its fastest)
//      BENCH_BROKER_WARMUP=0.25 (records produced and consumed on a separate topic before the timed
//      phases, as a fraction of the timed records; 0 = none)
//      BENCH_BROKER_WORK_DIR (payload files and data dirs; default $TMPDIR/tributary-bench-broker)
//      BENCH_BROKER_PRODUCER_CONFIG / BENCH_BROKER_CONSUMER_CONFIG="k=v,k=v"  (kcat -X settings)
//      BENCH_BROKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"  (flags for our broker's Node)
import { spawnSync } from 'node:child_process'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { configFromEnvironment, consumeAll, defaultConsumerConfig, defaultProducerConfig, produceFile, stickyProducerConfig } from './kcat.ts'
import { ensurePayloadFile } from './payload.ts'
import { measurePhase, memoryStatus } from './process-sampler.ts'
import type { PhaseResources } from './process-sampler.ts'
import { ensureRefbroker, startOurBroker, startRefbroker, targetNames } from './targets.ts'
import type { BenchBroker, TargetName } from './targets.ts'

export interface PhaseFigure extends PhaseResources {
  recordsPerSecond: number
  /** Record value bytes per second / 10^6. */
  mbPerSecond: number
}

/**
 * How the producer spreads keyless records (README.md, "Scenarios"):
 * - spread: each record to a random partition (sticky.partitioning.linger.ms=0), ~300 records
 *   per batch with 100 B records; every size fits refbroker's retention.
 * - sticky: librdkafka's default sticky partitioner (10 ms windows), batches of up to 10,000
 *   records; 100 B only, with fewer records over more partitions, because one 10 ms window of
 *   1 KiB records is already more than refbroker keeps per partition.
 */
export type ScenarioName = 'spread' | 'sticky'
export const scenarioNames: readonly ScenarioName[] = ['spread', 'sticky']

export interface Scenario {
  readonly name: ScenarioName
  readonly producerConfig: Readonly<Record<string, string>>
  /** Partitions of the topic (default: BrokerBenchOptions.partitions). */
  readonly partitions?: number
  readonly valueSizes: readonly number[]
  /** Records per value size. */
  readonly records: (valueBytes: number) => number
}

export interface BrokerBenchFigure {
  scenario: ScenarioName
  target: TargetName
  valueBytes: number
  records: number
  partitions: number
  /** Broker RSS once started and the topic exists, before any load. */
  idleRssBytes: number
  produce: PhaseFigure
  consume: PhaseFigure
  /** Size of the data directory after the run (ours only). */
  dataDirBytes?: number
  /** Records/s of every run, in run order (produce and consume report the fastest). */
  runs: {
    produce: number[]
    consume: number[]
    /** Broker CPU per record (µs) of every run, in run order: on a shared machine their median is steadier than the fastest run's. */
    produceBrokerUsPerRecord: number[]
    consumeBrokerUsPerRecord: number[]
  }
}

export interface BrokerBenchRatio {
  scenario: ScenarioName
  valueBytes: number
  /** ours / refbroker records per second, fastest runs (>= 1: we are at least as fast). */
  produce: number
  consume: number
  /** The same with the median runs. */
  produceMedian: number
  consumeMedian: number
  /** ours / refbroker broker CPU per record in the fastest runs (> 1: we spend more CPU). */
  produceCpuPerRecord: number
  consumeCpuPerRecord: number
}

export interface BrokerBenchResult {
  figures: BrokerBenchFigure[]
  ratios: BrokerBenchRatio[]
  /** "target size: message" for combinations that failed. */
  errors: string[]
}

export interface BrokerBenchOptions {
  targets?: readonly TargetName[]
  /** Default: the spread scenario over valueSizes and records. */
  scenarios?: readonly Scenario[]
  valueSizes?: readonly number[]
  partitions?: number
  /** Records per value size (spread scenario, when `scenarios` is not given). */
  records?: (valueBytes: number) => number
  workDir?: string
  /** Runs per combination; each phase reports its fastest run. Default 1 (3 from the environment defaults). */
  repeat?: number
  print?: boolean
}

const DEFAULT_RECORDS: Readonly<Record<number, number>> = { 100: 1_000_000, 1024: 250_000 }
/**
 * Sticky scenario: 200,000 × 100 B over 256 partitions. One 10 ms window holds 10,000-21,000
 * records (1.1-2.3 MB) at these rates and refbroker keeps ~5 MiB per partition, so a partition
 * that gets three windows loses data. Trials: 1,000,000 records on 64 partitions dropped data in
 * 2 of 2 runs; 400,000 on 64 in 2 of 5; 300,000 on 256 in 2 of 15 (partitions with 49,000-63,000
 * records). With about 10 windows over 256 partitions a triple is rare (not impossible: the
 * bench then reports that run FAILED rather than count it).
 */
const DEFAULT_STICKY_RECORDS: Readonly<Record<number, number>> = { 100: 200_000 }
const DEFAULT_STICKY_PARTITIONS = 256

function environmentNumber(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text.replaceAll('_', ''))
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${text}'`)
  return value
}

/** Options from BENCH_BROKER_* variables; `quick` divides the record counts by 10 and runs each combination once. */
export function optionsFromEnvironment(quick: boolean): BrokerBenchOptions {
  const targets = (process.env.BENCH_BROKER_TARGETS ?? targetNames.join(',')).split(',').map((name) => name.trim())
  for (const name of targets) if (!(targetNames as readonly string[]).includes(name)) throw new Error(`BENCH_BROKER_TARGETS: unknown target '${name}'`)
  const valueSizes = (process.env.BENCH_BROKER_SIZES ?? '100,1024').split(',').map(Number)
  const names = (process.env.BENCH_BROKER_SCENARIOS ?? scenarioNames.join(',')).split(',').map((name) => name.trim())
  for (const name of names) if (!(scenarioNames as readonly string[]).includes(name)) throw new Error(`BENCH_BROKER_SCENARIOS: unknown scenario '${name}'`)
  const scaled = (records: number): number => (quick ? Math.max(1000, Math.round(records / 10)) : records)
  const spreadRecords = (valueBytes: number): number => scaled(environmentNumber(`BENCH_BROKER_RECORDS_${valueBytes}`, DEFAULT_RECORDS[valueBytes] ?? Math.round(250_000_000 / valueBytes)))
  const scenarios: Scenario[] = []
  if (names.includes('spread')) scenarios.push({ name: 'spread', producerConfig: defaultProducerConfig, valueSizes, records: spreadRecords })
  const stickySizes = valueSizes.filter((valueBytes) => DEFAULT_STICKY_RECORDS[valueBytes] !== undefined)
  if (names.includes('sticky') && stickySizes.length > 0) {
    scenarios.push({
      name: 'sticky',
      producerConfig: stickyProducerConfig,
      partitions: environmentNumber('BENCH_BROKER_STICKY_PARTITIONS', DEFAULT_STICKY_PARTITIONS),
      valueSizes: stickySizes,
      records: (valueBytes) => scaled(environmentNumber(`BENCH_BROKER_STICKY_RECORDS_${valueBytes}`, DEFAULT_STICKY_RECORDS[valueBytes])),
    })
  }
  return {
    targets: targets as TargetName[],
    scenarios,
    valueSizes,
    partitions: environmentNumber('BENCH_BROKER_PARTITIONS', 64),
    records: spreadRecords,
    workDir: process.env.BENCH_BROKER_WORK_DIR,
    repeat: environmentNumber('BENCH_BROKER_REPEAT', quick ? 1 : 5),
  }
}

/** Runs every target × size combination; prints progress to stderr and the tables to stdout. */
export async function run(options: BrokerBenchOptions = optionsFromEnvironment(false)): Promise<BrokerBenchResult> {
  const targets = options.targets ?? targetNames
  const defaultPartitions = options.partitions ?? 64
  const scenarios: readonly Scenario[] = options.scenarios ?? [{
    name: 'spread',
    producerConfig: defaultProducerConfig,
    valueSizes: options.valueSizes ?? [100, 1024],
    records: options.records ?? ((valueBytes: number) => DEFAULT_RECORDS[valueBytes] ?? 100_000),
  }]
  const workDir = options.workDir ?? join(tmpdir(), 'tributary-bench-broker')
  const print = options.print ?? true
  const log = (line: string): void => {
    if (print) process.stderr.write(`${line}\n`)
  }
  const consumerConfig = configFromEnvironment(defaultConsumerConfig, 'BENCH_BROKER_CONSUMER_CONFIG')
  const repeat = options.repeat ?? 1
  if (targets.includes('refbroker')) ensureRefbroker(log)
  if (print) printPreamble(scenarios.map((scenario) => `${scenario.name} ${scenario.partitions ?? defaultPartitions}`).join(', '), scenarios, consumerConfig)

  const figures: BrokerBenchFigure[] = []
  const errors: string[] = []
  const steps = scenarios.reduce((sum, scenario) => sum + scenario.valueSizes.length, 0) * targets.length * repeat
  let step = 0
  for (const scenario of scenarios) {
    const producerConfig = configFromEnvironment(scenario.producerConfig, 'BENCH_BROKER_PRODUCER_CONFIG')
    const partitions = scenario.partitions ?? defaultPartitions
    for (const valueBytes of scenario.valueSizes) {
      const records = scenario.records(valueBytes)
      log(`${scenario.name}: payload ${records} x ${valueBytes} B`)
      const payload = ensurePayloadFile(workDir, valueBytes, records)
      const warmupRecords = Math.round(records * warmupFraction())
      const warmupPayload = warmupRecords > 0 ? ensurePayloadFile(workDir, valueBytes, warmupRecords) : undefined
      const runs = new Map<TargetName, BrokerBenchFigure[]>()
      // Targets alternate within each repetition, so both see the same machine conditions.
      for (let repetition = 0; repetition < repeat; repetition++) {
        for (const target of targets) {
          step++
          const label = `[${step}/${steps}] ${scenario.name} ${target} ${valueBytes} B x ${records}, ${partitions} partitions`
          try {
            const combination = { scenario: scenario.name, target, valueBytes, records, partitions, payload, warmupPayload, workDir, producerConfig, consumerConfig }
            const figure = await measureCombination(combination, (line) => log(`${label}: ${line}`))
            runs.set(target, [...(runs.get(target) ?? []), figure])
          } catch (error) {
            const message = `${scenario.name} ${target} ${valueBytes} B: ${(error as Error).message}`
            log(`${label}: FAILED ${message}`)
            errors.push(message)
          }
        }
      }
      for (const target of targets) {
        const measured = runs.get(target)
        if (measured !== undefined) figures.push(bestOf(measured))
      }
    }
  }
  const ratios = ratiosOf(figures, scenarios)
  if (print) printTables(figures, ratios, errors)
  return { figures, ratios, errors }
}

interface Combination {
  scenario: ScenarioName
  target: TargetName
  valueBytes: number
  records: number
  partitions: number
  payload: string
  /** Produced and consumed on `<topic>-warmup` before the timed phases (untimed), if set. */
  warmupPayload: string | undefined
  workDir: string
  producerConfig: Readonly<Record<string, string>>
  consumerConfig: Readonly<Record<string, string>>
}

/** One fresh broker: create the topic, produce the payload file, consume it all back, verify counts. */
async function measureCombination(combination: Combination, log: (line: string) => void): Promise<BrokerBenchFigure> {
  const { scenario, target, valueBytes, records, partitions } = combination
  const topic = `bench-${valueBytes}b`
  const dataDir = join(combination.workDir, `data-${target}-${valueBytes}b-${process.pid}`)
  let broker: BenchBroker | undefined
  try {
    broker = target === 'ours' ? await startOurBroker({ dataDir, partitions, nodeArguments: nodeArgumentsFromEnvironment() }) : await startRefbroker(new Map([[topic, partitions]]))
    const active = broker
    await active.createTopic(topic, partitions)
    const idleRssBytes = memoryStatus(active.pid).rssBytes
    if (combination.warmupPayload !== undefined) {
      // Untimed, on both targets alike: a fresh Node broker would otherwise be measured while its
      // JIT compiles the hot paths (a long-running broker has done that long ago).
      log('warm-up ...')
      const warmupTopic = `${topic}-warmup`
      await active.createTopic(warmupTopic, partitions)
      await produceFile(active.bootstrap, warmupTopic, combination.warmupPayload, combination.producerConfig)
      await consumeAll(active.bootstrap, warmupTopic, combination.consumerConfig)
    }
    log('produce ...')
    const produced = await measurePhase(active.pid, () => produceFile(active.bootstrap, topic, combination.payload, combination.producerConfig))
    const produce = phaseFigure(produced.resources, records, valueBytes)
    log(`produce ${formatRate(produce)}; consume ...`)
    const retained = await active.retainedRecords(topic)
    if (retained !== undefined && retained !== records) throw new Error(`broker holds ${retained} records after producing ${records}`)
    const consumed = await measurePhase(active.pid, () => consumeAll(active.bootstrap, topic, combination.consumerConfig))
    if (consumed.result.records !== records || consumed.result.valueBytes !== records * valueBytes) {
      throw new Error(`consumed ${consumed.result.records} records / ${consumed.result.valueBytes} B, produced ${records} / ${records * valueBytes} B`)
    }
    const consume = phaseFigure(consumed.resources, records, valueBytes)
    log(`consume ${formatRate(consume)}`)
    const dataDirBytes = target === 'ours' ? directoryBytes(dataDir) : undefined
    return { scenario, target, valueBytes, records, partitions, idleRssBytes, produce, consume, dataDirBytes, runs: {
      produce: [produce.recordsPerSecond],
      consume: [consume.recordsPerSecond],
      produceBrokerUsPerRecord: [(produce.brokerCpuMs * 1000) / records],
      consumeBrokerUsPerRecord: [(consume.brokerCpuMs * 1000) / records],
    } }
  } finally {
    await broker?.stop()
    if (process.env.BENCH_BROKER_KEEP_DATA === undefined) rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The fastest produce and the fastest consume of several runs (peak RSS: the largest seen). */
function bestOf(runs: readonly BrokerBenchFigure[]): BrokerBenchFigure {
  const fastest = (phase: 'produce' | 'consume'): PhaseFigure => runs.map((figure) => figure[phase]).reduce((best, next) => (next.recordsPerSecond > best.recordsPerSecond ? next : best))
  const produce = fastest('produce')
  const consume = fastest('consume')
  return {
    ...runs[0],
    idleRssBytes: Math.max(...runs.map((figure) => figure.idleRssBytes)),
    produce: { ...produce, brokerPeakRssBytes: Math.max(...runs.map((figure) => figure.produce.brokerPeakRssBytes)) },
    consume: { ...consume, brokerPeakRssBytes: Math.max(...runs.map((figure) => figure.consume.brokerPeakRssBytes)) },
    runs: {
      produce: runs.flatMap((figure) => figure.runs.produce),
      consume: runs.flatMap((figure) => figure.runs.consume),
      produceBrokerUsPerRecord: runs.flatMap((figure) => figure.runs.produceBrokerUsPerRecord),
      consumeBrokerUsPerRecord: runs.flatMap((figure) => figure.runs.consumeBrokerUsPerRecord),
    },
  }
}

function warmupFraction(): number {
  const text = process.env.BENCH_BROKER_WARMUP
  if (text === undefined) return 0.25
  const value = Number(text)
  if (!(value >= 0 && value <= 1)) throw new Error(`BENCH_BROKER_WARMUP must be a fraction from 0 to 1, got '${text}'`)
  return value
}

function nodeArgumentsFromEnvironment(): string[] {
  const text = process.env.BENCH_BROKER_NODE_ARGS ?? ''
  return text.split(/\s+/).filter((part) => part !== '')
}

function phaseFigure(resources: PhaseResources, records: number, valueBytes: number): PhaseFigure {
  const seconds = resources.elapsedMs / 1000
  return { ...resources, recordsPerSecond: records / seconds, mbPerSecond: (records * valueBytes) / 1e6 / seconds }
}

function ratiosOf(figures: readonly BrokerBenchFigure[], scenarios: readonly Scenario[]): BrokerBenchRatio[] {
  const ratios: BrokerBenchRatio[] = []
  for (const { name: scenario, valueSizes } of scenarios) for (const valueBytes of valueSizes) {
    const of = (target: TargetName): BrokerBenchFigure | undefined => figures.find((figure) => figure.scenario === scenario && figure.target === target && figure.valueBytes === valueBytes)
    const ours = of('ours')
    const reference = of('refbroker')
    if (ours === undefined || reference === undefined) continue
    ratios.push({
      scenario,
      valueBytes,
      produce: ours.produce.recordsPerSecond / reference.produce.recordsPerSecond,
      consume: ours.consume.recordsPerSecond / reference.consume.recordsPerSecond,
      produceMedian: median(ours.runs.produce) / median(reference.runs.produce),
      consumeMedian: median(ours.runs.consume) / median(reference.runs.consume),
      produceCpuPerRecord: ours.produce.brokerCpuMs / ours.records / (reference.produce.brokerCpuMs / reference.records),
      consumeCpuPerRecord: ours.consume.brokerCpuMs / ours.records / (reference.consume.brokerCpuMs / reference.records),
    })
  }
  return ratios
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function directoryBytes(path: string): number {
  let total = 0
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size
  }
  return total
}

function formatRate(figure: PhaseFigure): string {
  return `${Math.round(figure.recordsPerSecond).toLocaleString('en-US')} rec/s, ${figure.mbPerSecond.toFixed(1)} MB/s in ${(figure.elapsedMs / 1000).toFixed(2)} s`
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)
const percent = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`

function printPreamble(partitions: string, scenarios: readonly Scenario[], consumerConfig: Readonly<Record<string, string>>): void {
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout.split('\n').find((line) => line.startsWith('Version')) ?? 'kcat ?'
  console.log(`broker bench: partitions ${partitions}, ${kcat.trim()}, node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)
  for (const scenario of scenarios) {
    const producerConfig = configFromEnvironment(scenario.producerConfig, 'BENCH_BROKER_PRODUCER_CONFIG')
    console.log(`producer (${scenario.name}): ${Object.entries(producerConfig).map(([key, value]) => `${key}=${value}`).join(' ')}`)
  }
  console.log(`consumer: ${Object.entries(consumerConfig).map(([key, value]) => `${key}=${value}`).join(' ') || 'librdkafka defaults'}`)
}

function printTables(figures: readonly BrokerBenchFigure[], ratios: readonly BrokerBenchRatio[], errors: readonly string[]): void {
  const throughput = figures.map((figure) => [
    figure.scenario,
    figure.target,
    `${figure.valueBytes} B`,
    String(figure.records),
    Math.round(figure.produce.recordsPerSecond).toLocaleString('en-US'),
    figure.produce.mbPerSecond.toFixed(1),
    Math.round(figure.consume.recordsPerSecond).toLocaleString('en-US'),
    figure.consume.mbPerSecond.toFixed(1),
    mib(figure.idleRssBytes),
    mib(figure.produce.brokerPeakRssBytes),
    mib(figure.consume.brokerPeakRssBytes),
    figure.dataDirBytes === undefined ? '-' : mib(figure.dataDirBytes),
  ])
  console.log()
  printAligned([['scenario', 'target', 'size', 'records', 'produce rec/s', 'MB/s', 'consume rec/s', 'MB/s', 'idle RSS MiB', 'produce peak RSS', 'consume peak RSS', 'disk MiB'], ...throughput])
  // CPU per record is what a busy, shared machine distorts least: wall-clock rates above depend
  // on how much of the cores the broker and kcat got; these say what each record costs.
  const cpu = figures.map((figure) => [
    figure.scenario,
    figure.target,
    `${figure.valueBytes} B`,
    (figure.produce.brokerCpuMs / 1000).toFixed(2),
    percent(figure.produce.brokerCpuMs, figure.produce.elapsedMs),
    ((figure.produce.brokerCpuMs * 1000) / figure.records).toFixed(2),
    median(figure.runs.produceBrokerUsPerRecord).toFixed(2),
    percent(figure.produce.clientCpuMs, figure.produce.elapsedMs),
    (figure.consume.brokerCpuMs / 1000).toFixed(2),
    percent(figure.consume.brokerCpuMs, figure.consume.elapsedMs),
    ((figure.consume.brokerCpuMs * 1000) / figure.records).toFixed(2),
    median(figure.runs.consumeBrokerUsPerRecord).toFixed(2),
    percent(figure.consume.clientCpuMs, figure.consume.elapsedMs),
  ])
  console.log('\nCPU of the fastest run (100% = one core busy for the whole phase); median: broker us/rec over all runs:')
  printAligned([['scenario', 'target', 'size', 'produce broker CPU s', 'broker %', 'broker us/rec', 'median', 'kcat %', 'consume broker CPU s', 'broker %', 'broker us/rec', 'median', 'kcat %'], ...cpu])
  if (ratios.length > 0) {
    console.log('\nours / refbroker: records/s of the fastest and of the median runs (target >= 1.00); broker CPU per record (> 1: we spend more):')
    const rows = ratios.map((ratio) => [ratio.scenario, `${ratio.valueBytes} B`, ratio.produce.toFixed(2), ratio.consume.toFixed(2), ratio.produceMedian.toFixed(2), ratio.consumeMedian.toFixed(2), ratio.produceCpuPerRecord.toFixed(1), ratio.consumeCpuPerRecord.toFixed(1)])
    printAligned([['scenario', 'size', 'produce', 'consume', 'produce median', 'consume median', 'produce CPU/rec', 'consume CPU/rec'], ...rows], 2)
  }
  const ours100 = figures.find((figure) => figure.scenario === 'spread' && figure.target === 'ours' && figure.valueBytes === 100)
  if (ours100 !== undefined) console.log(`\nours, spread, produce 100 B: ${Math.round(ours100.produce.recordsPerSecond).toLocaleString('en-US')} rec/s (target >= 1,000,000)`)
  console.log('\nrecords/s of every run (produce | consume):')
  for (const figure of figures) {
    const list = (values: readonly number[]): string => values.map((value) => Math.round(value / 1000) + 'k').join(' ')
    console.log(`  ${figure.scenario} ${figure.target} ${figure.valueBytes} B: ${list(figure.runs.produce)} | ${list(figure.runs.consume)}`)
  }
  for (const error of errors) console.log(`FAILED ${error}`)
}

/** `textColumns` leading columns are left-aligned, the figures after them right-aligned. */
function printAligned(rows: readonly string[][], textColumns = 3): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  for (const row of rows) console.log(row.map((cell, column) => (column < textColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '))
}

if (import.meta.main) {
  const result = await run(optionsFromEnvironment(process.argv.includes('--quick')))
  process.exitCode = result.errors.length === 0 ? 0 : 1
}

// CPU profiles (and allocation samples) of OUR broker under the benchmark's produce load and,
// separately, its consume load. The broker runs with `node --inspect=127.0.0.1:0`; through the
// inspector this script starts V8's CPU profiler (Profiler.start, the same sampler as
// --cpu-prof) and the sampling heap profiler right before each phase and stops them right after,
// so start-up and shutdown are not in the figures. Writes each CPU profile to --out (open it in
// Chrome DevTools) and prints the summary (cpuprofile-summary.ts) and top allocation sites.
//
// Run: npx node bench/broker/profile.ts [--scenario spread|sticky] [--size 100] [--records N] [--partitions 64] [--out DIR] [--top 30] [--no-allocations]
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { configFromEnvironment, consumeAll, defaultConsumerConfig, defaultProducerConfig, produceFile, stickyProducerConfig } from './kcat.ts'
import { ensurePayloadFile } from './payload.ts'
import { measurePhase } from './process-sampler.ts'
import type { PhaseResources } from './process-sampler.ts'
import { startOurBroker } from './targets.ts'
import type { BenchBroker } from './targets.ts'
import { formatSummary, summarizeProfile } from './cpuprofile-summary.ts'
import type { CpuProfile } from './cpuprofile-summary.ts'
import { InspectorSession, startAllocationSampling, stopAllocationSampling } from './allocation-sampler.ts'
import type { AllocationSite } from './allocation-sampler.ts'

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100' },
    records: { type: 'string' },
    partitions: { type: 'string', default: '64' },
    out: { type: 'string', default: join(tmpdir(), 'tributary-broker-prof') },
    top: { type: 'string', default: '30' },
    'no-allocations': { type: 'boolean', default: false },
    // The bench's producer scenario: spread (sticky.partitioning.linger.ms=0) or sticky (librdkafka's default).
    scenario: { type: 'string', default: 'spread' },
  },
})
const valueBytes = Number(values.size)
if (values.scenario !== 'spread' && values.scenario !== 'sticky') throw new Error(`--scenario: spread or sticky, got '${values.scenario}'`)
const producerConfig = values.scenario === 'sticky' ? stickyProducerConfig : defaultProducerConfig
const records = Number(values.records ?? (values.scenario === 'sticky' ? 200_000 : valueBytes === 100 ? 1_000_000 : 250_000))
const partitions = Number(values.partitions)
const top = Number(values.top)
const workDir = join(tmpdir(), 'tributary-bench-broker')
const dataDir = join(workDir, `data-profile-${process.pid}`)
const topic = `bench-${valueBytes}b`
const payload = ensurePayloadFile(workDir, valueBytes, records)

interface ProfiledPhase {
  phase: 'produce' | 'consume'
  resources: PhaseResources
  profilePath: string
  profile: CpuProfile
  allocations: { totalBytes: number; sites: AllocationSite[] } | undefined
}

async function profiledPhase(broker: BenchBroker, session: InspectorSession, phase: 'produce' | 'consume', body: () => Promise<unknown>): Promise<ProfiledPhase> {
  process.stderr.write(`${phase}: ${records} x ${valueBytes} B, ${partitions} partitions ...\n`)
  await session.send('Profiler.enable')
  await session.send('Profiler.setSamplingInterval', { interval: 1000 })
  if (!values['no-allocations']) await startAllocationSampling(session)
  await session.send('Profiler.start')
  const { resources } = await measurePhase(broker.pid, body)
  const { profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop')
  const allocations = values['no-allocations'] ? undefined : await stopAllocationSampling(session, top)
  const profilePath = join(values.out, `${phase}-${valueBytes}B.cpuprofile`)
  writeFileSync(profilePath, JSON.stringify(profile))
  return { phase, resources, profilePath, profile, allocations }
}

function printPhase({ phase, resources, profilePath, profile, allocations }: ProfiledPhase): void {
  const seconds = resources.elapsedMs / 1000
  console.log(`\n${phase}: ${Math.round(records / seconds).toLocaleString('en-US')} rec/s in ${seconds.toFixed(2)} s, broker CPU ${(resources.brokerCpuMs / 1000).toFixed(2)} s (${((resources.brokerCpuMs * 1000) / records).toFixed(3)} us/rec), kcat CPU ${(resources.clientCpuMs / 1000).toFixed(2)} s (profiling slows the broker)`)
  // The CPU profile below samples the main thread only: V8Worker time (concurrent marking,
  // sweeping, optimizing compiles) is GC and JIT work it does not show.
  const threads = resources.brokerCpuByThreadMs.filter(([, cpuMs]) => cpuMs >= 1).map(([name, cpuMs]) => `${name} ${(cpuMs / 1000).toFixed(2)} s`)
  if (threads.length > 0) console.log(`broker CPU by thread: ${threads.join(', ')}`)
  console.log(formatSummary(summarizeProfile(profile, top), profilePath))
  if (allocations === undefined) return
  console.log(`-- JS allocations by site, including objects already collected (sampled; ${(allocations.totalBytes / 1e6).toFixed(0)} MB in all, MB and %)`)
  for (const site of allocations.sites) console.log(`${(site.bytes / 1e6).toFixed(1).padStart(7)}  ${(site.share * 100).toFixed(1).padStart(5)}%  ${site.name}`)
}

mkdirSync(values.out, { recursive: true })
// BENCH_BROKER_NODE_ARGS: extra Node flags for the broker, as in broker.bench.ts.
const extraNodeArguments = (process.env.BENCH_BROKER_NODE_ARGS ?? '').split(/\s+/).filter((part) => part !== '')
const broker = await startOurBroker({ dataDir, partitions, nodeArguments: ['--inspect=127.0.0.1:0', ...extraNodeArguments] })
try {
  if (broker.inspectorUrl === undefined) throw new Error('the broker printed no inspector URL')
  const session = await InspectorSession.open(broker.inspectorUrl)
  try {
    await broker.createTopic(topic, partitions)
    const produced = await profiledPhase(broker, session, 'produce', () => produceFile(broker.bootstrap, topic, payload, configFromEnvironment(producerConfig, 'BENCH_BROKER_PRODUCER_CONFIG')))
    const consumed = await profiledPhase(broker, session, 'consume', async () => {
      const count = await consumeAll(broker.bootstrap, topic, configFromEnvironment(defaultConsumerConfig, 'BENCH_BROKER_CONSUMER_CONFIG'))
      if (count.records !== records) throw new Error(`consumed ${count.records} records, produced ${records}`)
    })
    printPhase(produced)
    printPhase(consumed)
  } finally {
    session.close()
  }
} finally {
  await broker.stop()
  rmSync(dataDir, { recursive: true, force: true })
}

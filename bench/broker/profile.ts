// CPU profiles of OUR broker under the benchmark's produce load and, separately, its consume
// load: the broker runs with `node --cpu-prof`, is stopped after the produce (profile 1), and is
// started again on the same data directory for the consume (profile 2; its start-up, which
// reopens the logs, is in that profile too, and shows up as partition-open / recovery frames).
// Prints the summary of each (see cpuprofile-summary.ts) and the figures of the run.
//
// Run: npx node bench/broker/profile.ts [--size 100] [--records N] [--partitions 64] [--out DIR] [--top 30]
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { readFileSync, rmSync } from 'node:fs'
import { configFromEnvironment, consumeAll, defaultConsumerConfig, defaultProducerConfig, produceFile } from './kcat.ts'
import { ensurePayloadFile } from './payload.ts'
import { measurePhase } from './process-sampler.ts'
import type { PhaseResources } from './process-sampler.ts'
import { startOurBroker } from './targets.ts'
import { formatSummary, summarizeProfile } from './cpuprofile-summary.ts'
import type { CpuProfile, ProfileWindow } from './cpuprofile-summary.ts'

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100' },
    records: { type: 'string' },
    partitions: { type: 'string', default: '64' },
    out: { type: 'string', default: join(tmpdir(), 'tributary-broker-prof') },
    top: { type: 'string', default: '30' },
  },
})
const valueBytes = Number(values.size)
const records = Number(values.records ?? (valueBytes === 100 ? 1_000_000 : 250_000))
const partitions = Number(values.partitions)
const workDir = join(tmpdir(), 'tributary-bench-broker')
const dataDir = join(workDir, `data-profile-${process.pid}`)
const topic = `bench-${valueBytes}b`
const payload = ensurePayloadFile(workDir, valueBytes, records)

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n)

interface ProfiledPhase {
  resources: PhaseResources
  profilePath: string
  /** The load, on the profile's clock: the summary covers only this, not start-up or shutdown. */
  window: ProfileWindow
}

async function profiledPhase(phase: 'produce' | 'consume', body: (bootstrap: string) => Promise<unknown>): Promise<ProfiledPhase> {
  const name = `${phase}-${valueBytes}B.cpuprofile`
  const broker = await startOurBroker({ dataDir, partitions, nodeArguments: ['--cpu-prof', `--cpu-prof-dir=${values.out}`, `--cpu-prof-name=${name}`] })
  try {
    await broker.createTopic(topic, partitions)
    process.stderr.write(`${phase}: ${records} x ${valueBytes} B, ${partitions} partitions ...\n`)
    const startMicros = monotonicMicros()
    const { resources } = await measurePhase(broker.pid, () => body(broker.bootstrap))
    return { resources, profilePath: join(values.out, name), window: { startMicros, endMicros: monotonicMicros() } }
  } finally {
    await broker.stop()
  }
}

try {
  const produced = await profiledPhase('produce', (bootstrap) => produceFile(bootstrap, topic, payload, configFromEnvironment(defaultProducerConfig, 'BENCH_BROKER_PRODUCER_CONFIG')))
  const consumed = await profiledPhase('consume', async (bootstrap) => {
    const count = await consumeAll(bootstrap, topic, configFromEnvironment(defaultConsumerConfig, 'BENCH_BROKER_CONSUMER_CONFIG'))
    if (count.records !== records) throw new Error(`consumed ${count.records} records, produced ${records}`)
  })
  for (const [phase, { resources, profilePath, window }] of [['produce', produced], ['consume', consumed]] as const) {
    const seconds = resources.elapsedMs / 1000
    console.log(`\n${phase}: ${Math.round(records / seconds).toLocaleString('en-US')} rec/s in ${seconds.toFixed(2)} s, broker CPU ${(resources.brokerCpuMs / 1000).toFixed(2)} s, kcat CPU ${(resources.clientCpuMs / 1000).toFixed(2)} s (profiling slows the broker)`)
    const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile
    console.log(formatSummary(summarizeProfile(profile, Number(values.top), window), `${profilePath} (the ${phase} only)`))
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}

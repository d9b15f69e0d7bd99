// What each client does while being recorded. A step that fails is reported, not fatal: the
// exchanges it produced (often the interesting part, e.g. a rejected ApiVersions) still count.
import type { ApiInfo } from './api-catalog.ts'
import { startRecordingProxy, type Exchange, type RecordingProxy } from './recording-proxy.ts'
import { startRefbroker } from '@tributary/testing'
import { ours } from '../../../tests/compat/support/targets.ts'
import { codecs, type ClientDriver, type KeyedRecord } from '../../../tests/compat/support/client-driver.ts'
import { kcat } from '../../../tests/compat/support/clients/kcat.ts'
import { confluentKafkaPython, kafkaPython } from '../../../tests/compat/support/clients/python.ts'
import { kafkaJs } from '../../../tests/compat/support/clients/kafkajs.ts'
import { platformaticKafka } from '../../../tests/compat/support/clients/platformatic.ts'
import { run } from '../../../tests/compat/support/process.ts'

type Step = (label: string, body: () => Promise<unknown>) => Promise<void>
type ScenarioContext = { bootstrap: string; step: Step }
type Scenario = {
  driver: ClientDriver
  idempotent: boolean
  extra?: (context: ScenarioContext) => Promise<void>
  /** Brokers to record against, in order; default refbroker only. */
  brokers?: readonly CaptureBroker[]
}

/**
 * refbroker is the independent reference. `ours` (this repository's broker) is used only where
 * refbroker cannot serve a client at all, to record that client's requests; its responses
 * are our own and prove only self-consistency (fixture names end in -tributary).
 */
export type CaptureBroker = 'refbroker' | 'ours'
export type CaptureSession = { broker: string; baseNameSuffix: string; exchanges: Exchange[]; problems: string[] }

type RecordingTarget = { upstreams: { host: string; port: number }[]; createTopic(topic: string): Promise<void>; close(): Promise<void> }

const recordsPerCodec = 20
const records: KeyedRecord[] = Array.from({ length: recordsPerCodec }, (_, index) => ({
  key: `key-${index}`,
  value: `value ${index}: the quick brown fox jumps over the lazy dog, record ${index}`,
}))
const topicFor = (codec: string) => `capture-${codec}`

export const captureScenarios: Record<string, Scenario> = {
  kcat: {
    driver: kcat,
    idempotent: true,
    async extra({ bootstrap, step }) {
      await step('', () => kcat.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group', commit: true }))
      await step('transactional', () => run('kcat', ['-b', bootstrap, '-P', '-t', topicFor('none'), '-X', 'transactional.id=capture-transaction', '-K', '\\t'],
        { input: 'transactional-key\ttransactional value\n', timeoutMs: 60_000 }))
    },
  },
  'python-confluent-kafka': {
    driver: confluentKafkaPython,
    idempotent: true,
    async extra({ bootstrap, step }) {
      await step('', () => confluentKafkaPython.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group', commit: true }))
    },
  },
  'python-kafka': {
    driver: kafkaPython,
    idempotent: false, // kafka-python 2.0.2 has no idempotent producer
    async extra({ bootstrap, step }) {
      await step('', () => kafkaPython.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group', commit: true }))
    },
  },
  // KafkaJS consumes through a group (JoinGroup/SyncGroup are recorded by every consume). Its
  // non-transactional idempotent producer asks "broker 0" (refbroker's ControllerId) for a
  // producer id and fails, so it produces without idempotence here.
  kafkajs: { driver: kafkaJs, idempotent: false },
  // @platformatic/kafka (2.x falls back to ApiVersions v1 when refbroker rejects v3; 1.x gave
  // up) is also recorded against our broker, for the newer versions it prefers there.
  'platformatic-kafka': { driver: platformaticKafka, idempotent: true, brokers: ['refbroker', 'ours'] },
}

export async function captureClient(client: string, catalog: ReadonlyMap<number, ApiInfo>): Promise<CaptureSession[]> {
  const scenario = captureScenarios[client]
  const sessions: CaptureSession[] = []
  for (const broker of scenario.brokers ?? ['refbroker']) {
    const target = broker === 'refbroker' ? await startRefbrokerTarget() : await startOurBroker()
    const proxy: RecordingProxy = await startRecordingProxy({ upstreams: target.upstreams, catalog })
    const session: CaptureSession = {
      broker: broker === 'refbroker' ? 'refbroker (librdkafka 2.0.2 mock cluster)' : 'tributary (this repository\'s broker)',
      baseNameSuffix: broker === 'refbroker' ? '' : '-tributary',
      exchanges: proxy.exchanges,
      problems: [],
    }
    const step: Step = async (label, body) => {
      proxy.label = label
      try { await body() } catch (error) { session.problems.push(`${label || 'step'}: ${String(error).split('\n').slice(0, 3).join(' | ')}`) }
    }
    try {
      for (const codec of codecs) await target.createTopic(topicFor(codec))
      await runScenario(scenario, proxy.bootstrap, step)
    } finally {
      await proxy.close()
      await target.close()
    }
    sessions.push(session)
  }
  return sessions
}

async function runScenario(scenario: Scenario, bootstrap: string, step: Step): Promise<void> {
  const { driver } = scenario
  await step('', () => driver.metadata(bootstrap, codecs.map(topicFor)))
  for (const codec of codecs) {
    const produce = (idempotent: boolean) => driver.produce(bootstrap, { topic: topicFor(codec), records, compression: codec, idempotent })
    // A broker without InitProducerId refuses idempotent producers: record plain produces then.
    await step(codec, () => produce(scenario.idempotent).catch((error: unknown) => {
      if (!scenario.idempotent) throw error
      return produce(false).then(() => { throw new Error(`idempotent produce failed, plain produce recorded instead: ${String(error)}`) })
    }))
    await step(codec, () => driver.consume(bootstrap, { topic: topicFor(codec), count: recordsPerCodec }))
  }
  await scenario.extra?.({ bootstrap, step })
}

async function startRefbrokerTarget(): Promise<RecordingTarget> {
  const refbroker = await startRefbroker({ clientWorkarounds: true })
  return { upstreams: refbroker.brokers, createTopic: (topic) => refbroker.createTopic(topic, 1), close: () => refbroker.close() }
}

async function startOurBroker(): Promise<RecordingTarget> {
  const running = await ours.start()
  const [host, port] = running.bootstrap.split(':')
  return { upstreams: [{ host, port: Number(port) }], createTopic: (topic) => running.createTopic(topic, 1), close: () => running.close() }
}

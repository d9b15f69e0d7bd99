// What each client does while being recorded. A step that fails is reported, not fatal: the
// exchanges it produced (often the interesting part, e.g. a rejected ApiVersions) still count.
import type { ApiInfo } from './api-catalog.ts'
import { startRecordingProxy, type Exchange, type RecordingProxy } from './recording-proxy.ts'
import { startRefbroker, type Refbroker } from '../../../tests/compat/support/refbroker.ts'
import { codecs, type ClientDriver, type KeyedRecord } from '../../../tests/compat/support/client-driver.ts'
import { kcat } from '../../../tests/compat/support/clients/kcat.ts'
import { confluentKafkaPython, kafkaPython } from '../../../tests/compat/support/clients/python.ts'
import { kafkaJs } from '../../../tests/compat/support/clients/kafkajs.ts'
import { platformaticKafka } from '../../../tests/compat/support/clients/platformatic.ts'
import { run } from '../../../tests/compat/support/process.ts'

type Step = (label: string, body: () => Promise<unknown>) => Promise<void>
type ScenarioContext = { bootstrap: string; refbroker: Refbroker; step: Step }
type Scenario = { driver: ClientDriver; idempotent: boolean; extra?: (context: ScenarioContext) => Promise<void> }

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
      await step('', () => kcat.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group' }))
      await step('transactional', () => run('kcat', ['-b', bootstrap, '-P', '-t', topicFor('none'), '-X', 'transactional.id=capture-transaction', '-K', '\\t'],
        { input: 'transactional-key\ttransactional value\n', timeoutMs: 60_000 }))
    },
  },
  'python-confluent-kafka': {
    driver: confluentKafkaPython,
    idempotent: true,
    async extra({ bootstrap, step }) {
      await step('', () => confluentKafkaPython.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group' }))
    },
  },
  'python-kafka': {
    driver: kafkaPython,
    idempotent: false, // kafka-python 2.0.2 has no idempotent producer
    async extra({ bootstrap, step }) {
      await step('', () => kafkaPython.consume(bootstrap, { topic: topicFor('none'), count: recordsPerCodec, group: 'capture-group' }))
    },
  },
  // KafkaJS consumes through a group (JoinGroup/SyncGroup are recorded by every consume). Its
  // non-transactional idempotent producer asks "broker 0" (refbroker's ControllerId) for a
  // producer id and fails, so it produces without idempotence here.
  kafkajs: { driver: kafkaJs, idempotent: false },
  // @platformatic/kafka 1.x sends ApiVersions v3 only; refbroker (v0-2) rejects it and the
  // client gives up, so only that handshake is recorded.
  'platformatic-kafka': { driver: platformaticKafka, idempotent: true },
}

export async function captureClient(client: string, catalog: ReadonlyMap<number, ApiInfo>): Promise<{ exchanges: Exchange[]; broker: string; problems: string[] }> {
  const scenario = captureScenarios[client]
  const refbroker = await startRefbroker({ topics: codecs.map((codec) => ({ name: topicFor(codec), partitions: 1 })) })
  // refbroker workarounds (see its README): ListOffsets v4+ and InitProducerId v3+ bugs.
  await refbroker.command('apiversion 2 0 3')
  await refbroker.command('apiversion 22 0 2')
  const proxy: RecordingProxy = await startRecordingProxy({ upstreams: refbroker.brokers, catalog })
  const problems: string[] = []
  const step: Step = async (label, body) => {
    proxy.label = label
    try { await body() } catch (error) { problems.push(`${label || 'step'}: ${String(error).split('\n').slice(0, 3).join(' | ')}`) }
  }
  try {
    const { driver } = scenario
    await step('', () => driver.metadata(proxy.bootstrap, codecs.map(topicFor)))
    for (const codec of codecs) {
      await step(codec, () => driver.produce(proxy.bootstrap, { topic: topicFor(codec), records, compression: codec, idempotent: scenario.idempotent }))
      await step(codec, () => driver.consume(proxy.bootstrap, { topic: topicFor(codec), count: recordsPerCodec }))
    }
    await scenario.extra?.({ bootstrap: proxy.bootstrap, refbroker, step })
  } finally {
    await proxy.close()
    await refbroker.close()
  }
  return { exchanges: proxy.exchanges, broker: 'refbroker (librdkafka 2.0.2 mock cluster)', problems }
}

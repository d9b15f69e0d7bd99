// The brokers a compat suite runs against: `ours` (the embedded broker of @tributary/broker, in
// this process, on an ephemeral port and a temporary data directory) and `refbroker`
// (librdkafka's mock cluster, to prove the harness itself against somebody else's broker).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureRefbroker, startRefbroker } from '@tributary/testing'
import { createTopicOutOfBand } from './setup-client.ts'

/** What a target can do, so a test that needs more is skipped with that reason, not failed. */
export type Capability = 'admin' | 'offsetsForTimes' | 'configs'

export type RunningTarget = {
  bootstrap: string
  /** Creates a topic without going through the client under test. */
  createTopic(topic: string, partitions: number): Promise<void>
  close(): Promise<void>
}

export type Target = {
  name: 'ours' | 'refbroker'
  /** Undefined when the target can run here, else the skip reason. */
  unavailable(): Promise<string | undefined>
  /** Capabilities the target lacks, each with the reason. */
  lacks: Partial<Record<Capability, string>>
  /** Clients this target cannot serve at all, with the reason. */
  refusesClient: Record<string, string>
  /** Per client, checks this target cannot serve for that client, with the reason. */
  clientLacks: Record<string, Partial<Record<'transactions', string>>>
  start(): Promise<RunningTarget>
}

/** Partitions of auto-created topics on our broker (the suites create topics with this many). */
export const defaultPartitions = 8

type BrokerHandle = { host: string; port: number; close(): Promise<void> }
type BrokerModule = { startBroker?: (options: Record<string, unknown>) => Promise<BrokerHandle> }

/**
 * Loads @tributary/broker. Only its absence is a skip reason ("not written yet"); a broker that
 * exists but fails to load fails the suites, with the error, when start() is called.
 */
async function loadBroker(): Promise<BrokerModule | { absent: string } | { broken: unknown }> {
  try {
    // A variable specifier: the suites type-check (and report a skip) before the package exists.
    const specifier = '@tributary/broker'
    const broker = (await import(specifier)) as BrokerModule
    return typeof broker.startBroker === 'function' ? broker : { broken: new Error('@tributary/broker does not export startBroker') }
  } catch (error) {
    const absent = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /@tributary\/broker|packages\/broker\/src\/index\.ts/.test(String(error))
    return absent ? { absent: `@tributary/broker is not there yet: ${String(error).split('\n')[0]}` } : { broken: error }
  }
}

export const ours: Target = {
  name: 'ours',
  async unavailable() {
    const broker = await loadBroker()
    return 'absent' in broker ? broker.absent : undefined
  },
  lacks: {},
  refusesClient: {},
  clientLacks: {},
  async start() {
    const broker = await loadBroker()
    if ('absent' in broker) throw new Error(broker.absent)
    if ('broken' in broker) throw broker.broken
    if (!broker.startBroker) throw new Error('@tributary/broker does not export startBroker')
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-compat-'))
    const handle = await broker.startBroker({ host: '127.0.0.1', port: 0, dataDir, numPartitions: defaultPartitions, autoCreateTopics: true, logLevel: 'warn' })
    return {
      bootstrap: `${handle.host}:${handle.port}`,
      createTopic: (topic, partitions) => createTopicOutOfBand(`${handle.host}:${handle.port}`, topic, partitions),
      async close() {
        await handle.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  },
}

const refbrokerAdmin = 'refbroker (librdkafka 2.0.2 mock) has no CreateTopics/DeleteTopics APIs'
export const refbroker: Target = {
  name: 'refbroker',
  async unavailable() {
    const found = ensureRefbroker()
    return 'unavailable' in found ? found.unavailable : undefined
  },
  lacks: {
    admin: refbrokerAdmin,
    offsetsForTimes: 'refbroker (librdkafka 2.0.2 mock) has no timestamp index: ListOffsets by timestamp answers -1',
    configs: 'refbroker (librdkafka 2.0.2 mock) has no DescribeConfigs/AlterConfigs APIs',
  },
  refusesClient: {},
  clientLacks: {
    kafkajs: { transactions: "KafkaJS's transactional producer asks for broker 0 (refbroker's ControllerId) and fails: 'Broker 0 not found in the cached metadata' (refbroker README)" },
  },
  async start() {
    const broker = await startRefbroker({ clientWorkarounds: true })
    return { bootstrap: broker.bootstrap, createTopic: (topic, partitions) => broker.createTopic(topic, partitions), close: () => broker.close() }
  },
}

export const targets: Target[] = [refbroker, ours]

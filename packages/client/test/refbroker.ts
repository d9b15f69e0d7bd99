// The client suite's view of refbroker (librdkafka's mock cluster, started by @tributary/testing):
// a BrokerTarget with the client workarounds from refbroker's README applied (ListOffsets capped
// at v3, InitProducerId capped at v2), or the reason it cannot run here as a skip.
import { ensureRefbroker, startRefbroker as startReference } from '@tributary/testing'
import type { BrokerTarget } from './targets.ts'

export async function startRefbroker(options: { brokers: number }): Promise<BrokerTarget | { skip: string }> {
  const found = ensureRefbroker()
  if ('unavailable' in found) return { skip: found.unavailable }
  const refbroker = await startReference({ brokers: options.brokers, clientWorkarounds: true })
  return {
    name: 'refbroker',
    bootstrapServers: refbroker.bootstrap,
    sessionTimeoutMs: 6_000,
    enforcesTransactions: false,
    createTopic: async (topic, partitions) => {
      await refbroker.createTopic(topic, partitions, 1)
    },
    injectErrors: async (apiKey, codes) => {
      await refbroker.command(`errors ${apiKey} ${codes.join(' ')}`)
    },
    setBrokerReachable: async (nodeId, reachable) => {
      await refbroker.command(`${reachable ? 'up' : 'down'} ${nodeId}`)
    },
    stop: () => refbroker.close(),
  }
}

// Brokers the client suite runs against. A target is a factory, so the same suite can later run
// against our own broker (via @tributary/testing) or a real Kafka: add a factory to `targets`.
import { startRefbroker } from './refbroker.ts'

export interface BrokerTarget {
  readonly name: string
  readonly bootstrapServers: string
  /** Creates a topic by whatever means the target has (admin API or a control channel). */
  createTopic(topic: string, partitions: number): Promise<void>
  /** Makes the next requests of `apiKey` fail with these Kafka error codes, where supported. */
  injectErrors?(apiKey: number, codes: number[]): Promise<void>
  /** Disconnects broker `nodeId` and refuses its connections (down) or accepts them again. */
  setBrokerReachable?(nodeId: number, reachable: boolean): Promise<void>
  /** Session timeout that keeps rebalances fast on this target. */
  readonly sessionTimeoutMs: number
  /** True when transaction markers and TxnOffsetCommit take effect (not on librdkafka's mock). */
  readonly enforcesTransactions: boolean
  stop(): Promise<void>
}

export interface TargetFactory {
  readonly name: string
  /** A target, or the reason it cannot run here (the suite then skips with that reason). */
  start(): Promise<BrokerTarget | { skip: string }>
}

export const targets: TargetFactory[] = [
  {
    name: 'refbroker (librdkafka mock cluster)',
    start: () => startRefbroker({ brokers: 1 }),
  },
]

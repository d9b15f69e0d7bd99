// What a handler can reach: the request's header facts, its connection, and the broker's
// services. Handlers for groups and transactions (added later under handlers/group/ and
// handlers/transaction/) reach their coordinators through `broker` as well: add a field to
// BrokerContext and build it in broker.ts.
import type { Clock } from '@tributary/protocol'
import type { ConnectionInfo } from './network/connection.ts'
import type { Logger } from './logger.ts'
import type { BrokerConfig } from './broker-config.ts'
import type { Cluster } from './cluster/cluster.ts'
import type { AppendWaiters } from './cluster/append-waiters.ts'
import type { ProducerStateManager } from './cluster/producer-state-manager.ts'
import type { HandlerTable } from './handlers/handler-table.ts'
import type { Coordination } from './coordination/coordination.ts'

/** The broker's long-lived services, shared by every request. */
export interface BrokerContext {
  readonly config: BrokerConfig
  readonly clusterId: string
  readonly nodeId: number
  /** Host and port announced in Metadata and DescribeCluster. */
  readonly advertisedHost: string
  advertisedPort: number
  readonly cluster: Cluster
  readonly appendWaiters: AppendWaiters
  /** Seam for idempotent/transactional sequence checks (coordinator helper). */
  readonly producerStateManager: ProducerStateManager
  readonly handlers: HandlerTable
  /** Group and transaction coordinators and their shell (handlers/group, handlers/transaction). */
  readonly coordination: Coordination
  readonly clock: Clock
  readonly logger: Logger
}

/** Facts about one request, handed to its handler. */
export interface RequestContext {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
  readonly clientId: string | null
  readonly connection: ConnectionInfo
  readonly broker: BrokerContext
}

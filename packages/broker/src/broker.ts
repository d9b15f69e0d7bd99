// Composition root of the broker: resolve options, load the node identity, open the log, build
// the cluster state and the request dispatcher, bind the listener, arm periodic retention.
import { openLogManager } from '@tributary/log'
import type { LogManager } from '@tributary/log'
import type { Clock } from '@tributary/protocol'
import { resolveBrokerConfig } from './broker-config.ts'
import type { BrokerConfig, BrokerOptions } from './broker-config.ts'
import { createLogger } from './logger.ts'
import type { Logger } from './logger.ts'
import { systemClock } from './system-clock.ts'
import { loadOrCreateBrokerMetadata } from './cluster/broker-metadata.ts'
import { AppendWaiters } from './cluster/append-waiters.ts'
import { Cluster } from './cluster/cluster.ts'
import { Coordination } from './coordination/coordination.ts'
import type { PartitionLag } from './coordination/consumer-lag.ts'
import { startListener } from './network/listener.ts'
import type { Listener } from './network/listener.ts'
import { createRequestDispatcher } from './request-dispatcher.ts'
import type { BrokerContext } from './request-context.ts'
import { handlerTable } from './handlers/index.ts'

/** A running broker. */
export interface Broker {
  /** The bound address; with port 0 in the options, the port actually chosen. */
  readonly host: string
  readonly port: number
  readonly clusterId: string
  readonly nodeId: number
  readonly config: BrokerConfig
  /** Live client connections (tests check that bad peers are dropped). */
  readonly connectionCount: number
  /** Runs retention over every partition now (what the periodic check does). */
  runRetention(): void
  /** Committed offset, high watermark and lag of every partition `groupId` committed (monitoring). */
  consumerLag(groupId: string): PartitionLag[]
  /**
   * Stops accepting, answers in-flight requests (long polls end early), flushes and closes the
   * log. Idempotent.
   */
  close(): Promise<void>
}

/** How long close() lets in-flight requests finish. */
const shutdownGraceMs = 5000

/**
 * Starts a broker and resolves once it accepts connections.
 * @example
 * const broker = await startBroker({ dataDir: './data/broker', port: 0 })
 * console.log(`listening on ${broker.host}:${broker.port}`)
 * await broker.close()
 */
export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const config = resolveBrokerConfig(options)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createLogger(config.logLevel)
  const identity = await loadOrCreateBrokerMetadata(config.dataDir, config.nodeId)
  const appendWaiters = new AppendWaiters({ maxWaiters: config.maxFetchWaiters, clock })
  let cluster: Cluster | undefined
  const logs = await openLogManager({
    dataDir: config.dataDir,
    flushPolicy: config.flushPolicy,
    flushIntervalMs: config.flushIntervalMs,
    clock,
    defaultTopicConfigs: { ...config.topicConfigDefaults },
    onHighWatermark: (log) => cluster?.onHighWatermark(log),
    onRecovery: (message) => logger.info(`log recovery: ${message}`),
  })
  let listener: Listener
  const coordination = new Coordination({ logs, clock, logger }, options.coordination)
  const context: BrokerContext = {
    config,
    clusterId: identity.clusterId,
    nodeId: identity.nodeId,
    advertisedHost: config.advertisedHost,
    advertisedPort: config.port,
    cluster: undefined as unknown as Cluster,
    appendWaiters,
    producerStateManager: options.producerStateManager ?? coordination.producerStates,
    handlers: handlerTable,
    coordination,
    clock,
    logger,
  }
  try {
    cluster = new Cluster({
      logs, nodeId: identity.nodeId, numPartitions: config.numPartitions, topicConfigDefaults: config.topicConfigDefaults,
      appendWaiters, producerStateManager: context.producerStateManager, clock, logger,
    })
    ;(context as { cluster: Cluster }).cluster = cluster
    // Internal topics replayed and coordinators activated before the first request is served.
    await coordination.start(cluster)
    listener = await startListener({
      host: config.host,
      port: config.port,
      limits: { maxRequestBytes: config.maxRequestBytes, maxInFlightRequests: config.maxInFlightRequestsPerConnection, idleTimeoutMs: config.idleTimeoutMs },
      maxConnections: config.maxConnections,
      dispatch: createRequestDispatcher(context),
      clock,
      logger,
    })
  } catch (error) {
    coordination.close()
    await logs.close()
    throw error
  }
  context.advertisedPort = listener.port
  const retention = scheduleRetention(logs, config.retentionCheckIntervalMs, clock, logger)
  logger.info('broker started', { host: listener.host, port: listener.port, clusterId: identity.clusterId, nodeId: identity.nodeId, dataDir: config.dataDir, flushPolicy: config.flushPolicy })
  let closing: Promise<void> | undefined
  return {
    host: listener.host,
    port: listener.port,
    clusterId: identity.clusterId,
    nodeId: identity.nodeId,
    config,
    get connectionCount() {
      return listener.connections.size
    },
    runRetention: retention.runNow,
    consumerLag: (groupId) => coordination.consumerLag(groupId),
    close() {
      closing ??= (async () => {
        retention.cancel()
        appendWaiters.notifyAll()
        coordination.close()
        await listener.close(shutdownGraceMs)
        await logs.close()
        logger.info('broker stopped', { port: listener.port })
      })()
      return closing
    },
  }
}

/** Runs retention every `intervalMs` of `clock` time (log.retention.check.interval.ms). */
function scheduleRetention(logs: LogManager, intervalMs: number, clock: Clock, logger: Logger): { runNow(): void; cancel(): void } {
  let cancelTimer: (() => void) | undefined
  let cancelled = false
  const runNow = (): void => {
    try {
      for (const result of logs.runRetention(clock.nowMs())) {
        if (result.deletedSegments > 0) {
          logger.info('retention deleted segments', { topic: result.topic, partition: result.partition, segments: result.deletedSegments, bytes: result.deletedBytes, reason: result.reason, logStartOffset: result.logStartOffset })
        }
      }
      // Log compaction (cleanup.policy=compact): asynchronous, bounded per run; a call during a run joins it.
      logs.runCompaction(clock.nowMs()).catch((error: unknown) => logger.error('compaction failed', { error: (error as Error).message }))
    } catch (error) {
      logger.error('retention failed', { error: (error as Error).message })
    }
  }
  const arm = (): void => {
    cancelTimer = clock.setTimer(intervalMs, () => {
      if (cancelled) return
      runNow()
      arm()
    })
  }
  arm()
  return {
    runNow,
    cancel() {
      cancelled = true
      cancelTimer?.()
    },
  }
}

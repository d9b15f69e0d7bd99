// Config resources as DescribeConfigs, AlterConfigs and IncrementalAlterConfigs see them:
// topic configs (overrides over broker defaults over Kafka defaults) and the broker's own
// static configs. Answers carry Kafka error codes; nothing here throws on bad input.
import { ErrorCode } from '@tributary/protocol'
import { isTopicConfigName } from '@tributary/log'
import type { BrokerConfig } from '../broker-config.ts'
import type { Cluster } from './cluster.ts'
import type { ErrorResult } from './cluster-types.ts'
import { ConfigOperation } from './cluster-types.ts'
import { ConfigSource, ConfigType, describeTopicConfig, isListConfig, topicConfigNames } from './topic-config.ts'
import type { DescribedConfig } from './topic-config.ts'

/** Kafka's ConfigResource types. */
export const ConfigResourceType = { Unknown: 0, Any: 1, Topic: 2, Group: 3, Broker: 4, BrokerLogger: 8, ClientMetrics: 16 } as const

export type DescribeResult = ErrorResult & { readonly configs: readonly DescribedConfig[]; readonly readOnly: boolean }

/** DescribeConfigs for one resource; `keys` null means every config. */
export function describeConfigResource(resourceType: number, resourceName: string, keys: readonly string[] | null, cluster: Cluster, config: BrokerConfig): DescribeResult {
  const pick = (all: readonly DescribedConfig[]): DescribedConfig[] => (keys === null ? [...all] : all.filter((entry) => keys.includes(entry.name)))
  if (resourceType === ConfigResourceType.Topic) {
    const topic = cluster.topic(resourceName)
    if (topic === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${resourceName}' does not exist.`, configs: [], readOnly: false }
    const all = topicConfigNames.map((name) => describeTopicConfig(name, topic.configs, cluster.topicConfigDefaults))
    return { errorCode: ErrorCode.None, errorMessage: null, configs: pick(all), readOnly: false }
  }
  if (resourceType === ConfigResourceType.Broker) {
    if (resourceName !== '' && resourceName !== String(cluster.nodeId)) {
      return { errorCode: ErrorCode.InvalidRequest, errorMessage: `Unexpected broker id ${resourceName}, expected ${cluster.nodeId} or an empty name.`, configs: [], readOnly: true }
    }
    return { errorCode: ErrorCode.None, errorMessage: null, configs: pick(brokerConfigs(config, cluster)), readOnly: true }
  }
  return { errorCode: ErrorCode.InvalidRequest, errorMessage: `Config resource type ${resourceType} is not supported (topics and brokers only).`, configs: [], readOnly: true }
}

/** AlterConfigs: the topic's overrides become exactly `configs`. */
export function replaceTopicConfigs(resourceType: number, resourceName: string, configs: readonly { name: string; value: string | null }[], validateOnly: boolean, cluster: Cluster): ErrorResult {
  const unsupported = checkAlterable(resourceType)
  if (unsupported !== undefined) return unsupported
  const next: Record<string, string> = {}
  for (const { name, value } of configs) {
    if (value === null) return { errorCode: ErrorCode.InvalidConfig, errorMessage: `Null value not supported for topic config ${name}.` }
    next[name] = value
  }
  return cluster.setTopicConfigs(resourceName, next, validateOnly)
}

/** IncrementalAlterConfigs: applies SET/DELETE/APPEND/SUBTRACT to the topic's overrides. */
export function alterTopicConfigs(
  resourceType: number,
  resourceName: string,
  operations: readonly { name: string; configOperation: number; value: string | null }[],
  validateOnly: boolean,
  cluster: Cluster,
): ErrorResult {
  const unsupported = checkAlterable(resourceType)
  if (unsupported !== undefined) return unsupported
  const topic = cluster.topic(resourceName)
  if (topic === undefined) return { errorCode: ErrorCode.UnknownTopicOrPartition, errorMessage: `Topic '${resourceName}' does not exist.` }
  const next: Record<string, string> = { ...topic.configs }
  const seen = new Set<string>()
  for (const { name, configOperation, value } of operations) {
    if (seen.has(name)) return { errorCode: ErrorCode.InvalidRequest, errorMessage: `Config ${name} appears twice in one request.` }
    seen.add(name)
    if (!isTopicConfigName(name)) return { errorCode: ErrorCode.InvalidConfig, errorMessage: `Unknown topic config name: ${name}` }
    const problem = applyOperation(next, name, configOperation, value, cluster)
    if (problem !== undefined) return problem
  }
  return cluster.setTopicConfigs(resourceName, next, validateOnly)
}

function applyOperation(configs: Record<string, string>, name: string, operation: number, value: string | null, cluster: Cluster): ErrorResult | undefined {
  switch (operation) {
    case ConfigOperation.Set:
      if (value === null) return { errorCode: ErrorCode.InvalidConfig, errorMessage: `Null value not supported for topic config ${name}.` }
      configs[name] = value
      return undefined
    case ConfigOperation.Delete:
      delete configs[name]
      return undefined
    case ConfigOperation.Append:
    case ConfigOperation.Subtract: {
      if (!isListConfig(name)) return { errorCode: ErrorCode.InvalidConfig, errorMessage: `Config ${name} is not a list; APPEND and SUBTRACT apply to list configs only.` }
      const current = describeTopicConfig(name, configs, cluster.topicConfigDefaults).value
      const items = splitList(current)
      const changes = splitList(value ?? '')
      const result = operation === ConfigOperation.Append ? [...items, ...changes.filter((item) => !items.includes(item))] : items.filter((item) => !changes.includes(item))
      configs[name] = result.join(',')
      return undefined
    }
    default:
      return { errorCode: ErrorCode.InvalidRequest, errorMessage: `Unknown config operation ${operation} for ${name}.` }
  }
}

function checkAlterable(resourceType: number): ErrorResult | undefined {
  if (resourceType === ConfigResourceType.Topic) return undefined
  if (resourceType === ConfigResourceType.Broker) return { errorCode: ErrorCode.InvalidRequest, errorMessage: 'Broker configs are static: restart the broker with new options.' }
  return { errorCode: ErrorCode.InvalidRequest, errorMessage: `Config resource type ${resourceType} is not supported (topics only).` }
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

/** The broker's static configs, with Kafka's names. */
function brokerConfigs(config: BrokerConfig, cluster: Cluster): DescribedConfig[] {
  const flushMessages = config.flushPolicy === 'every-batch' ? '1' : '9223372036854775807'
  const flushMs = config.flushPolicy === 'interval' ? String(config.flushIntervalMs) : '9223372036854775807'
  const entries: [string, string, ConfigType][] = [
    ['node.id', String(cluster.nodeId), ConfigType.Int],
    ['broker.id', String(cluster.nodeId), ConfigType.Int],
    ['log.dirs', config.dataDir, ConfigType.String],
    ['num.partitions', String(config.numPartitions), ConfigType.Int],
    ['auto.create.topics.enable', String(config.autoCreateTopics), ConfigType.Boolean],
    ['default.replication.factor', '1', ConfigType.Int],
    ['socket.request.max.bytes', String(config.maxRequestBytes), ConfigType.Int],
    ['connections.max.idle.ms', String(config.idleTimeoutMs), ConfigType.Long],
    ['max.connections', String(config.maxConnections), ConfigType.Int],
    ['log.retention.check.interval.ms', String(config.retentionCheckIntervalMs), ConfigType.Long],
    ['log.flush.interval.messages', flushMessages, ConfigType.Long],
    ['log.flush.interval.ms', flushMs, ConfigType.Long],
  ]
  const described: DescribedConfig[] = entries.map(([name, value, type]) => ({ name, value, source: ConfigSource.StaticBrokerConfig, isDefault: false, type, documentation: null, synonyms: [] }))
  // The broker-level synonyms of topic configs (log.retention.ms...), from the same defaults topics use.
  for (const name of topicConfigNames) {
    const topicLevel = describeTopicConfig(name, {}, cluster.topicConfigDefaults)
    const brokerName = topicLevel.synonyms[topicLevel.synonyms.length - 1].name
    if (described.some((entry) => entry.name === brokerName)) continue
    described.push({ ...topicLevel, name: brokerName, synonyms: topicLevel.synonyms.filter((synonym) => synonym.name === brokerName) })
  }
  return described
}

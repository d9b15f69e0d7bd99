// How the broker describes topic configs: the names and defaults come from @tributary/log (which
// validates and applies them); this file adds what DescribeConfigs reports: the type, the
// broker-level synonym, a line of documentation, and where each effective value comes from.
import { LogError, LogErrorCode, TOPIC_CONFIG_DEFAULTS, isTopicConfigName, resolveTopicConfig } from '@tributary/log'

/** Kafka's ConfigType ids (DescribeConfigs v3+ `configType`). */
export const ConfigType = { Unknown: 0, Boolean: 1, String: 2, Int: 3, Short: 4, Long: 5, Double: 6, List: 7, Class: 8, Password: 9 } as const
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType]

/** Kafka's ConfigSource ids (DescribeConfigs v1+ `configSource`, CreateTopics v5+). */
export const ConfigSource = { Unknown: 0, TopicConfig: 1, DynamicBrokerConfig: 2, DynamicDefaultBrokerConfig: 3, StaticBrokerConfig: 4, DefaultConfig: 5 } as const
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource]

interface TopicConfigDescription {
  readonly type: ConfigType
  /** The broker config whose value is this topic config's default. */
  readonly brokerSynonym: string
  readonly documentation: string
}

const described: Readonly<Record<string, TopicConfigDescription>> = {
  'cleanup.policy': { type: ConfigType.List, brokerSynonym: 'log.cleanup.policy', documentation: 'delete: retention removes old segments. compact is accepted and stored; compaction is not applied yet.' },
  'retention.ms': { type: ConfigType.Long, brokerSynonym: 'log.retention.ms', documentation: 'Delete a closed segment once its newest record is older than this; -1 keeps data forever.' },
  'retention.bytes': { type: ConfigType.Long, brokerSynonym: 'log.retention.bytes', documentation: 'Delete the oldest closed segments while the partition is larger than this; -1 means no size limit.' },
  'segment.bytes': { type: ConfigType.Int, brokerSynonym: 'log.segment.bytes', documentation: 'Roll a new segment before the active one would exceed this size.' },
  'segment.ms': { type: ConfigType.Long, brokerSynonym: 'log.roll.ms', documentation: 'Roll a new segment when the active one is older than this.' },
  'max.message.bytes': { type: ConfigType.Int, brokerSynonym: 'message.max.bytes', documentation: 'Largest record batch accepted, in bytes (after compression).' },
  'message.timestamp.type': { type: ConfigType.String, brokerSynonym: 'log.message.timestamp.type', documentation: 'CreateTime keeps producer timestamps; LogAppendTime stamps each batch with the broker time on append.' },
  'min.insync.replicas': { type: ConfigType.Int, brokerSynonym: 'min.insync.replicas', documentation: 'Accepted for compatibility; a single node always has one in-sync replica.' },
  'segment.index.bytes': { type: ConfigType.Int, brokerSynonym: 'log.index.size.max.bytes', documentation: 'Largest offset or time index of a segment; a full index rolls the segment.' },
  'index.interval.bytes': { type: ConfigType.Int, brokerSynonym: 'log.index.interval.bytes', documentation: 'Bytes of log between two offset-index entries.' },
}

/** Every topic config name the broker accepts, sorted. */
export const topicConfigNames: readonly string[] = Object.keys(TOPIC_CONFIG_DEFAULTS).sort()

/** Whether `name` is a list-typed config (the only ones APPEND/SUBTRACT apply to). */
export function isListConfig(name: string): boolean {
  return described[name]?.type === ConfigType.List
}

/** One config as DescribeConfigs and CreateTopics v5+ report it. */
export interface DescribedConfig {
  readonly name: string
  readonly value: string
  readonly source: ConfigSource
  readonly isDefault: boolean
  readonly type: ConfigType
  readonly documentation: string | null
  /** Where the value could come from, most specific first (DescribeConfigs synonyms). */
  readonly synonyms: readonly { name: string; value: string; source: ConfigSource }[]
}

/** Describes `name` for a topic with `overrides` on a broker with `brokerDefaults` (keyed by topic config name). */
export function describeTopicConfig(name: string, overrides: Readonly<Record<string, string>>, brokerDefaults: Readonly<Record<string, string>>): DescribedConfig {
  const description = described[name]
  const brokerSynonym = description?.brokerSynonym ?? name
  const synonyms: { name: string; value: string; source: ConfigSource }[] = []
  if (Object.hasOwn(overrides, name)) synonyms.push({ name, value: overrides[name], source: ConfigSource.TopicConfig })
  if (Object.hasOwn(brokerDefaults, name)) synonyms.push({ name: brokerSynonym, value: brokerDefaults[name], source: ConfigSource.StaticBrokerConfig })
  synonyms.push({ name: brokerSynonym, value: TOPIC_CONFIG_DEFAULTS[name], source: ConfigSource.DefaultConfig })
  const effective = synonyms[0]
  return {
    name,
    value: effective.value,
    source: effective.source,
    isDefault: effective.source === ConfigSource.DefaultConfig,
    type: description?.type ?? ConfigType.String,
    documentation: description?.documentation ?? null,
    synonyms,
  }
}

/**
 * Checks a full set of overrides (what the topic would have). Returns a message naming the
 * unknown or invalid config, or undefined when valid.
 */
export function checkTopicConfigs(overrides: Readonly<Record<string, string>>, brokerDefaults: Readonly<Record<string, string>>): string | undefined {
  for (const name of Object.keys(overrides)) {
    if (!isTopicConfigName(name)) return `Unknown topic config name: ${name}`
  }
  try {
    resolveTopicConfig(overrides, brokerDefaults)
    return undefined
  } catch (error) {
    if (error instanceof LogError && error.code === LogErrorCode.InvalidConfig) return error.message
    throw error
  }
}

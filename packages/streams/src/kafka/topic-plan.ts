// What a topology needs from the cluster: its tasks per sub-topology, the internal topics
// (repartition and changelog) with their partition counts and configs, checked against the
// source topics' partition counts. Pure: the caller supplies the counts it found.
import type { Topology } from '../topology/topology.ts'
import type { Subtopology } from '../topology/subtopology.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { formatTaskId } from './task-id.ts'

export interface InternalTopic {
  readonly topic: string
  readonly partitions: number
  readonly configs: Record<string, string>
  readonly kind: 'repartition' | 'changelog'
}

export interface SubtopologyPlan {
  readonly subtopology: Subtopology
  /** Runtime names (internal topics prefixed with the application id). */
  readonly sourceTopics: readonly string[]
  readonly partitions: number
  /** Store name → changelog topic (logged stores only). */
  readonly changelogs: ReadonlyMap<string, string>
}

export interface TopicPlan {
  readonly subtopologies: readonly SubtopologyPlan[]
  readonly internalTopics: readonly InternalTopic[]
  /** Every source topic read by a task → its sub-topology id. */
  readonly subtopologyOfTopic: ReadonlyMap<string, number>
  /** Partition count of every source and internal topic. */
  readonly topicPartitions: ReadonlyMap<string, number>
}

export function runtimeTopicName(topology: Topology, applicationId: string, topic: string): string {
  return topology.internalTopics().has(topic) ? `${applicationId}-${topic}` : topic
}

/** Kafka Streams' defaults for internal topic configs. */
export interface InternalTopicOptions {
  /** Added to a window or session store's retention for its changelog's retention.ms. */
  readonly windowStoreChangelogAdditionalRetentionMs: number
}

/** Kafka's `windowstore.changelog.additional.retention.ms` default: one day. */
export const DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000

const defaultInternalTopicOptions: InternalTopicOptions = { windowStoreChangelogAdditionalRetentionMs: DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS }

/**
 * Repartition topics keep records until the application deletes what it committed
 * (DeleteRecords after commits, `repartitionPurgeIntervalMs`), not for a retention time: a
 * consumer far behind must still find its input. Segments as Kafka Streams sizes them.
 */
const repartitionTopicConfigs: Readonly<Record<string, string>> = { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'segment.bytes': '52428800' }

/**
 * Changelog configs: compacted (latest value per key); window and session stores' keys are
 * unique per window, so their changelogs also delete by time, a day (by default) after the
 * store itself has dropped the window.
 */
function changelogConfigs(topology: Topology, storeName: string, options: InternalTopicOptions): Record<string, string> {
  const builder = topology.stores().get(storeName)
  if (builder === undefined || builder.kind === 'keyValue' || builder.retentionMs === undefined) return { 'cleanup.policy': 'compact' }
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(builder.retentionMs + options.windowStoreChangelogAdditionalRetentionMs) }
}

/**
 * Computes tasks and internal topics. `externalPartitions` gives the partition count of every
 * existing non-internal source topic. A repartition topic gets the partition count of the
 * external topics read next to it (co-partitioning), else of its writer's sources.
 */
export function planTopics(topology: Topology, applicationId: string, externalPartitions: ReadonlyMap<string, number>, options: InternalTopicOptions = defaultInternalTopicOptions): TopicPlan {
  const subtopologies = topology.subtopologies()
  const resolve = (topic: string): string => runtimeTopicName(topology, applicationId, topic)
  const internal = new Set([...topology.internalTopics()].map(resolve))
  const counts = new Map<string, number>()
  for (const subtopology of subtopologies) {
    for (const topic of subtopology.sourceTopics.map(resolve)) {
      if (internal.has(topic)) continue
      const count = externalPartitions.get(topic)
      if (count === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.MissingSourceTopic, `source topic '${topic}' does not exist`)
      counts.set(topic, count)
    }
  }
  // Repartition topics: fixed point, as a writer may itself read a repartition topic.
  for (let round = 0; round <= subtopologies.length && [...internal].some((topic) => !counts.has(topic)); round++) {
    for (const reader of subtopologies) {
      const sources = reader.sourceTopics.map(resolve)
      const external = sources.filter((topic) => !internal.has(topic)).map((topic) => counts.get(topic)!)
      for (const topic of sources.filter((name) => internal.has(name) && !counts.has(name))) {
        if (external.length > 0) {
          counts.set(topic, Math.max(...external))
          continue
        }
        const writer = subtopologies.find((candidate) => candidate.sinkTopics.map(resolve).includes(topic))
        const writerCounts = writer?.sourceTopics.map(resolve).map((name) => counts.get(name))
        if (writerCounts !== undefined && writerCounts.every((count) => count !== undefined)) counts.set(topic, Math.max(...(writerCounts as number[])))
      }
    }
  }
  const plans = subtopologies.map((subtopology) => planSubtopology(topology, applicationId, subtopology, resolve, counts))
  const internalTopics: InternalTopic[] = []
  for (const topic of internal) {
    const partitions = counts.get(topic)
    if (partitions === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.MissingSourceTopic, `cannot determine the partition count of internal topic '${topic}'`)
    internalTopics.push({ topic, partitions, kind: 'repartition', configs: { ...repartitionTopicConfigs } })
  }
  for (const plan of plans) {
    for (const [store, topic] of plan.changelogs) internalTopics.push({ topic, partitions: plan.partitions, kind: 'changelog', configs: changelogConfigs(topology, store, options) })
  }
  const subtopologyOfTopic = new Map<string, number>()
  for (const plan of plans) for (const topic of plan.sourceTopics) subtopologyOfTopic.set(topic, plan.subtopology.id)
  for (const topic of internalTopics) counts.set(topic.topic, topic.partitions)
  return { subtopologies: plans, internalTopics, subtopologyOfTopic, topicPartitions: counts }
}

function planSubtopology(topology: Topology, applicationId: string, subtopology: Subtopology, resolve: (topic: string) => string, counts: ReadonlyMap<string, number>): SubtopologyPlan {
  const sourceTopics = subtopology.sourceTopics.map(resolve)
  const sourceCounts = sourceTopics.map((topic) => counts.get(topic) ?? 0)
  const partitions = Math.max(...sourceCounts)
  // Tasks of a stateful sub-topology (joins, aggregations) need every source partition i to
  // hold the same keys: equal partition counts.
  if (subtopology.stores.length > 0 && sourceCounts.some((count) => count !== partitions)) {
    const detail = sourceTopics.map((topic, index) => `${topic}=${sourceCounts[index]}`).join(', ')
    throw new KafkaStreamsError(KafkaStreamsErrorCode.NotCopartitioned, `sub-topology ${subtopology.id} joins or aggregates topics that are not co-partitioned (${detail})`)
  }
  const changelogs = new Map<string, string>()
  for (const name of subtopology.stores) {
    const builder = topology.stores().get(name)
    if (builder?.loggingEnabled === true) changelogs.set(name, `${applicationId}-${name}-changelog`)
  }
  return { subtopology, sourceTopics, partitions, changelogs }
}

/** Every task of the plan, with the source partitions it reads. */
export function tasksOfPlan(plan: TopicPlan): Map<string, { topic: string; partition: number }[]> {
  const tasks = new Map<string, { topic: string; partition: number }[]>()
  for (const sub of plan.subtopologies) {
    for (let partition = 0; partition < sub.partitions; partition++) {
      tasks.set(formatTaskId({ subtopology: sub.subtopology.id, partition }), sub.sourceTopics.filter((topic) => (plan.topicPartitions.get(topic) ?? 0) > partition).map((topic) => ({ topic, partition })))
    }
  }
  return tasks
}

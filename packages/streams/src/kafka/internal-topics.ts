// Reads the partition counts of the source topics, plans the internal topics and creates the
// missing ones (changelogs compacted). An existing internal topic with another partition count
// is an error: its data would be routed to the wrong tasks. Creation races between instances
// starting at once are expected and tolerated.
import { createAdmin, KafkaErrorCode, KafkaProtocolError, type Admin } from '@tributary/client'
import type { Topology } from '../topology/topology.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS, planTopics, runtimeTopicName, type TopicPlan } from './topic-plan.ts'

export async function prepareTopics(topology: Topology, options: { applicationId: string; bootstrapServers: string | readonly string[]; replicationFactor: number; windowStoreChangelogAdditionalRetentionMs?: number }): Promise<TopicPlan> {
  const admin = createAdmin({ bootstrapServers: options.bootstrapServers, clientId: `${options.applicationId}-admin` })
  try {
    const existing = new Set(await admin.listTopics())
    const external = topology
      .subtopologies()
      .flatMap((sub) => sub.sourceTopics)
      .filter((topic) => !topology.internalTopics().has(topic))
      .map((topic) => runtimeTopicName(topology, options.applicationId, topic))
    const missing = external.filter((topic) => !existing.has(topic))
    if (missing.length > 0) throw new KafkaStreamsError(KafkaStreamsErrorCode.MissingSourceTopic, `source topics do not exist: ${[...new Set(missing)].join(', ')}`)
    const counts = new Map<string, number>()
    for (const description of await admin.describeTopics([...new Set(external)])) counts.set(description.topic, description.partitions.length)
    const plan = planTopics(topology, options.applicationId, counts, { windowStoreChangelogAdditionalRetentionMs: options.windowStoreChangelogAdditionalRetentionMs ?? DEFAULT_WINDOW_STORE_CHANGELOG_ADDITIONAL_RETENTION_MS })
    // Several instances starting together race to create the same topics: one that already
    // exists (now, or by the time our CreateTopics arrives) is fine if its partition count is
    // the planned one, which is checked for every internal topic after creation.
    for (const topic of plan.internalTopics.filter((candidate) => !existing.has(candidate.topic))) {
      try {
        await admin.createTopics([{ topic: topic.topic, partitions: topic.partitions, replicationFactor: options.replicationFactor, configs: topic.configs }])
      } catch (error) {
        if (!(error instanceof KafkaProtocolError && error.code === KafkaErrorCode.TopicAlreadyExists)) throw error
      }
    }
    if (plan.internalTopics.length > 0) {
      const described = await describeCreated(admin, plan.internalTopics.map((topic) => topic.topic))
      for (const wanted of plan.internalTopics) {
        const partitions = described.get(wanted.topic)
        if (partitions === undefined) throw new KafkaStreamsError(KafkaStreamsErrorCode.InternalTopicMismatch, `internal topic '${wanted.topic}' was created but is not in the cluster metadata`)
        if (partitions !== wanted.partitions) {
          throw new KafkaStreamsError(KafkaStreamsErrorCode.InternalTopicMismatch, `internal topic '${wanted.topic}' has ${partitions} partitions, the topology needs ${wanted.partitions}`)
        }
      }
    }
    return plan
  } finally {
    await admin.close()
  }
}

/** Partition counts of `topics`; a cluster may list a topic it just created a moment later. */
async function describeCreated(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  let described = new Map<string, number>()
  for (let attempt = 0; attempt < 20; attempt++) {
    described = new Map((await admin.describeTopics(topics)).map((description) => [description.topic, description.partitions.length]))
    if (topics.every((topic) => described.has(topic))) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return described
}

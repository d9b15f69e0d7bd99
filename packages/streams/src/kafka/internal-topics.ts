// Reads the partition counts of the source topics, plans the internal topics and creates the
// missing ones (changelogs compacted). An existing internal topic with another partition count
// is an error: its data would be routed to the wrong tasks.
import { createAdmin } from '@tributary/client'
import type { Topology } from '../topology/topology.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
import { planTopics, runtimeTopicName, type TopicPlan } from './topic-plan.ts'

export async function prepareTopics(topology: Topology, options: { applicationId: string; bootstrapServers: string | readonly string[]; replicationFactor: number }): Promise<TopicPlan> {
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
    const plan = planTopics(topology, options.applicationId, counts)
    const present = plan.internalTopics.filter((topic) => existing.has(topic.topic))
    if (present.length > 0) {
      for (const description of await admin.describeTopics(present.map((topic) => topic.topic))) {
        const wanted = plan.internalTopics.find((topic) => topic.topic === description.topic)!
        if (description.partitions.length !== wanted.partitions) {
          throw new KafkaStreamsError(KafkaStreamsErrorCode.InternalTopicMismatch, `internal topic '${description.topic}' has ${description.partitions.length} partitions, the topology needs ${wanted.partitions}`)
        }
      }
    }
    const toCreate = plan.internalTopics.filter((topic) => !existing.has(topic.topic))
    if (toCreate.length > 0) {
      await admin.createTopics(toCreate.map((topic) => ({ topic: topic.topic, partitions: topic.partitions, replicationFactor: options.replicationFactor, configs: topic.configs })))
    }
    return plan
  } finally {
    await admin.close()
  }
}

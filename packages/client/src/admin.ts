// Admin operations: topics (with configs, e.g. compacted changelogs), offsets, records, configs
// and groups. Thin mappings over the wrapped library's admin client to our own types.
import { Admin as PlatformaticAdmin } from '@platformatic/kafka'
import type { GroupMemberSubscription, MemberAssignment } from './assignor.ts'
import { decodeAssignment, decodeSubscription } from './consumer-protocol.ts'
import { toClientError } from './errors.ts'
import { fetchCommittedOffsets, listOffsets, OffsetSpec, type ListedOffset } from './offsets.ts'
import type { ClientOptions, IsolationLevel, TopicPartition, TopicPartitionOffset } from './types.ts'
import { toBaseOptions, Wire } from './wire.ts'

export interface NewTopic {
  topic: string
  partitions: number
  replicationFactor?: number
  /** Topic configs, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>
}

export interface TopicDescription {
  topic: string
  partitions: { partition: number; leader: number; leaderEpoch: number }[]
}

export interface OffsetRequest extends TopicPartition {
  /** 'earliest', 'latest', or a timestamp in ms (first offset whose timestamp is ≥ it). */
  at: 'earliest' | 'latest' | bigint
}

export interface GroupListing {
  groupId: string
  state: string
  protocolType: string
}

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string }[]
}

export interface PartitionLag extends TopicPartition {
  committedOffset: bigint
  highWatermark: bigint
  lag: bigint
}

export class Admin {
  readonly #admin: PlatformaticAdmin
  readonly #wire: Wire

  constructor(options: ClientOptions) {
    this.#admin = new PlatformaticAdmin(toBaseOptions(options, 'tributary-admin'))
    this.#wire = new Wire(this.#admin)
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    // The wrapped call takes one configs list for all topics, so topics are created one by one.
    for (const topic of topics) {
      const configs = Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value }))
      await this.#run('createTopics', () => this.#admin.createTopics({ topics: [topic.topic], partitions: topic.partitions, replicas: topic.replicationFactor ?? -1, configs }))
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.#run('deleteTopics', () => this.#admin.deleteTopics({ topics: [...topics] }))
  }

  async listTopics(): Promise<string[]> {
    return await this.#run('listTopics', () => this.#admin.listTopics())
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    const view = await this.#wire.metadata(topics, true)
    return topics.filter((topic) => view.topics.has(topic)).map((topic) => ({ topic, partitions: view.topics.get(topic)!.partitions }))
  }

  async describeCluster(): Promise<{ brokers: { nodeId: number; host: string; port: number }[]; controllerId: number }> {
    const view = await this.#wire.metadata([], true)
    return { brokers: [...view.brokers].map(([nodeId, broker]) => ({ nodeId, ...broker })), controllerId: view.controllerId }
  }

  async listOffsets(requests: readonly OffsetRequest[], isolationLevel: IsolationLevel = 'read_uncommitted'): Promise<ListedOffset[]> {
    const timestamps = requests.map(({ topic, partition, at }) => ({ topic, partition, timestamp: at === 'earliest' ? OffsetSpec.Earliest : at === 'latest' ? OffsetSpec.Latest : at }))
    return await listOffsets(this.#wire, timestamps, isolationLevel === 'read_committed' ? 1 : 0)
  }

  /** Deletes records before each offset; returns the new log start offsets. */
  async deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>()
    for (const { topic, partition, offset } of offsets) byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset }])
    const result = await this.#run('deleteRecords', () => this.#admin.deleteRecords({ topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) }))
    return result.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.name, partition: partition.partition, offset: partition.lowWatermark })))
  }

  async describeTopicConfigs(topic: string): Promise<Record<string, string | null>> {
    const result = await this.#run('describeConfigs', () => this.#admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: topic }] }))
    return Object.fromEntries((result[0]?.configs ?? []).map((config) => [config.name, config.value ?? null]))
  }

  /** Sets (value string) or deletes (null) topic configs, leaving the others unchanged. */
  async alterTopicConfigs(topic: string, configs: Record<string, string | null>): Promise<void> {
    const entries = Object.entries(configs).map(([name, value]) => (value === null ? { name, configOperation: 1 as const } : { name, value, configOperation: 0 as const }))
    await this.#run('incrementalAlterConfigs', () => this.#admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: topic, configs: entries }] }))
  }

  async listGroups(): Promise<GroupListing[]> {
    const groups = await this.#run('listGroups', () => this.#admin.listGroups())
    return [...groups.values()].map((group) => ({ groupId: group.id, state: group.state, protocolType: group.protocolType }))
  }

  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    const groups = await this.#run('describeGroups', () => this.#admin.describeGroups({ groups: [...groupIds] }))
    return [...groups.values()].map((group) => ({
      groupId: group.id,
      state: group.state,
      protocolType: group.protocolType,
      protocol: group.protocol,
      members: [...group.members.values()].map((member) => ({ memberId: member.id, groupInstanceId: member.groupInstanceId ?? null, clientId: member.clientId, clientHost: member.clientHost })),
    }))
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await this.#run('deleteGroups', () => this.#admin.deleteGroups({ groups: [...groupIds] }))
  }

  /** Committed offsets of a group (all its partitions, or the given ones). */
  async listGroupOffsets(groupId: string, partitions?: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const coordinator = await this.#wire.findCoordinator(0, groupId)
    return await fetchCommittedOffsets(this.#wire, coordinator, groupId, partitions)
  }

  /** Lag per committed partition of a group: high watermark minus committed offset. */
  async groupLag(groupId: string, partitions?: readonly TopicPartition[]): Promise<PartitionLag[]> {
    const committed = (await this.listGroupOffsets(groupId, partitions)).filter((offset) => offset.offset >= 0n)
    const ends = await listOffsets(this.#wire, committed.map(({ topic, partition }) => ({ topic, partition, timestamp: OffsetSpec.Latest })), 0)
    const endByKey = new Map(ends.map((end) => [`${end.topic}\u0000${end.partition}`, end.offset]))
    return committed.map(({ topic, partition, offset }) => {
      const highWatermark = endByKey.get(`${topic}\u0000${partition}`) ?? offset
      return { topic, partition, committedOffset: offset, highWatermark, lag: highWatermark > offset ? highWatermark - offset : 0n }
    })
  }

  async close(): Promise<void> {
    await this.#admin.close()
  }

  async #run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw toClientError(error, operation)
    }
  }
}

export function createAdmin(options: ClientOptions): Admin {
  return new Admin(options)
}

/** Decodes consumer-protocol bytes seen in DescribeGroups, for tools that show assignments. */
export function decodeMemberBytes(metadata: Uint8Array, assignment: Uint8Array): { subscription: Omit<GroupMemberSubscription, 'memberId' | 'groupInstanceId'>; assignment: MemberAssignment } {
  return { subscription: decodeSubscription(metadata), assignment: decodeAssignment(assignment) }
}

// Partition assignors: the group leader runs one to split the subscribed partitions among the
// members. A custom assignor (Kafka Streams' task assignor) reads each member's subscription
// userData and writes per-member assignment userData; the client carries both bytes unchanged.
import type { TopicPartition } from './types.ts'

/** One member as the leader sees it in the JoinGroup response. */
export interface GroupMemberSubscription {
  memberId: string
  groupInstanceId: string | null
  topics: string[]
  /** The bytes this member's assignor put in its subscription (`subscriptionUserData`). */
  userData: Uint8Array | null
  /** Partitions the member owned before this rebalance (subscription v1+). */
  ownedPartitions: TopicPartition[]
}

/** What one member receives from the leader. */
export interface MemberAssignment {
  partitions: TopicPartition[]
  userData?: Uint8Array | null
}

export interface AssignmentContext {
  /** Member id of the leader (the member running `assign`). */
  leaderId: string
  generationId: number
  members: GroupMemberSubscription[]
  /** Partition count of every topic some member subscribed to (missing topics are absent). */
  partitionCounts: Map<string, number>
}

/** A partition assignor: a protocol name in JoinGroup plus the leader's assignment function. */
export interface PartitionAssignor {
  /** Protocol name sent in JoinGroup; every member of a group must offer it. */
  readonly name: string
  /** Member metadata provider: bytes for this member's subscription, asked before every join. */
  subscriptionUserData?(topics: readonly string[]): Uint8Array | null | Promise<Uint8Array | null>
  /** Runs on the leader only. Must return an entry for every member (an empty one is fine). */
  assign(context: AssignmentContext): Map<string, MemberAssignment> | Promise<Map<string, MemberAssignment>>
  /** Runs on every member after SyncGroup with the assignment it received. */
  onAssignment?(assignment: MemberAssignment, generationId: number): void
}

/**
 * Kafka's "range" strategy: per topic, members sorted by id get contiguous ranges, the first
 * `partitions % members` members one extra.
 */
export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  assign(context) {
    const result = emptyAssignments(context)
    for (const [topic, count] of [...context.partitionCounts].sort(([a], [b]) => compare(a, b))) {
      const members = context.members.filter((member) => member.topics.includes(topic)).map((member) => member.memberId).sort(compare)
      if (members.length === 0) continue
      const base = Math.floor(count / members.length)
      const extra = count % members.length
      let next = 0
      members.forEach((memberId, index) => {
        const size = base + (index < extra ? 1 : 0)
        for (let partition = next; partition < next + size; partition++) result.get(memberId)!.partitions.push({ topic, partition })
        next += size
      })
    }
    return result
  },
}

/** Kafka's "roundrobin" strategy over all (topic, partition) pairs sorted, skipping non-subscribers. */
export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  assign(context) {
    const result = emptyAssignments(context)
    const members = context.members.map((member) => member.memberId).sort(compare)
    const subscriptions = new Map(context.members.map((member) => [member.memberId, new Set(member.topics)]))
    let cursor = 0
    for (const [topic, count] of [...context.partitionCounts].sort(([a], [b]) => compare(a, b))) {
      for (let partition = 0; partition < count; partition++) {
        for (let tries = 0; tries < members.length; tries++) {
          const memberId = members[cursor % members.length]
          cursor++
          if (subscriptions.get(memberId)!.has(topic)) {
            result.get(memberId)!.partitions.push({ topic, partition })
            break
          }
        }
      }
    }
    return result
  },
}

function emptyAssignments(context: AssignmentContext): Map<string, MemberAssignment & { partitions: TopicPartition[] }> {
  return new Map(context.members.map((member) => [member.memberId, { partitions: [], userData: null }]))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

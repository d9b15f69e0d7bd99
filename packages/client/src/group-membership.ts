// Internal: one member of a classic consumer group. It runs JoinGroup → (leader: assign) →
// SyncGroup, heartbeats in the background, and leaves. The embedded protocol bytes are ours
// (consumer-protocol.ts), so subscription userData and per-member assignment userData travel
// unchanged — the wrapped library's own group code cannot carry the latter.
import type { AssignmentContext, GroupMemberSubscription, MemberAssignment, PartitionAssignor } from './assignor.ts'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type Assignment } from './consumer-protocol.ts'
import { ClientError, ClientErrorCode, KafkaErrorCode, KafkaProtocolError, kafkaCodesOf, responseOf, toClientError } from './errors.ts'
import type { TopicPartition } from './types.ts'
import type { Wire } from './wire.ts'

export interface GroupMembershipOptions {
  groupId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  assignors: readonly PartitionAssignor[]
  /** Upper bound on JoinGroup/SyncGroup round trips in one `join`. */
  maxJoinAttempts?: number
}

interface JoinGroupResponse {
  generationId: number
  protocolName: string | null
  leader: string
  memberId: string
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
}

/** Why the member must join again before it may fetch or commit. */
export type RejoinReason = 'none' | 'rebalance' | 'lost'

export class GroupMembership {
  readonly #wire: Wire
  readonly #options: GroupMembershipOptions
  readonly #partitionCounts: (topics: string[]) => Promise<Map<string, number>>
  #coordinatorId: number | undefined
  #heartbeatTimer: NodeJS.Timeout | undefined
  #rejoin: RejoinReason = 'none'
  #joining = false
  memberId = ''
  generationId = -1
  protocolName: string | null = null
  isLeader = false

  constructor(wire: Wire, options: GroupMembershipOptions, partitionCounts: (topics: string[]) => Promise<Map<string, number>>) {
    this.#wire = wire
    this.#options = options
    this.#partitionCounts = partitionCounts
  }

  /** `rebalance` when the coordinator asked for a rejoin, `lost` when this member was fenced. */
  get rejoinReason(): RejoinReason {
    return this.#rejoin
  }

  get coordinatorId(): number | undefined {
    return this.#coordinatorId
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(topics: readonly string[], ownedPartitions: readonly TopicPartition[]): Promise<Assignment> {
    this.stopHeartbeat()
    this.#joining = true
    try {
      return await this.#joinWithRetries(topics, ownedPartitions)
    } finally {
      this.#joining = false
    }
  }

  async #joinWithRetries(topics: readonly string[], ownedPartitions: readonly TopicPartition[]): Promise<Assignment> {
    const maxAttempts = this.#options.maxJoinAttempts ?? 30
    let lastError: unknown
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        const assignment = await this.#joinOnce(topics, ownedPartitions)
        this.#rejoin = 'none'
        this.#scheduleHeartbeat()
        return assignment
      } catch (error) {
        lastError = error
        if (!(await this.#recover(error))) throw toClientError(error, 'join group')
      }
    }
    throw new ClientError(ClientErrorCode.Timeout, `could not join group ${this.#options.groupId} in ${maxAttempts} attempts`, { domain: 'external', retriable: true, cause: lastError })
  }

  /** Sends LeaveGroup (dynamic members only) and forgets the membership. */
  async leave(): Promise<void> {
    this.stopHeartbeat()
    if (this.memberId === '' || this.#options.groupInstanceId !== null) return
    try {
      const coordinatorId = await this.#coordinator()
      const version = await this.#wire.apiVersion('LeaveGroup')
      const args = version >= 3 ? [this.#options.groupId, [{ memberId: this.memberId, groupInstanceId: null }]] : [this.#options.groupId, [{ memberId: this.memberId }]]
      await this.#wire.callRaw('LeaveGroup', coordinatorId, args)
    } catch (error) {
      const codes = kafkaCodesOf(error)
      if (!codes.includes(KafkaErrorCode.UnknownMemberId)) throw toClientError(error, 'leave group')
    } finally {
      this.memberId = ''
      this.generationId = -1
    }
  }

  stopHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer)
    this.#heartbeatTimer = undefined
  }

  async #joinOnce(topics: readonly string[], ownedPartitions: readonly TopicPartition[]): Promise<Assignment> {
    const coordinatorId = await this.#coordinator()
    const protocols = []
    for (const assignor of this.#options.assignors) {
      const userData = (await assignor.subscriptionUserData?.(topics)) ?? null
      protocols.push({ name: assignor.name, metadata: encodeSubscription({ topics: [...topics], userData, ownedPartitions: [...ownedPartitions] }) })
    }
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs, groupInstanceId } = this.#options
    const joined = await this.#wire.callRaw<JoinGroupResponse>('JoinGroup', coordinatorId, [groupId, sessionTimeoutMs, rebalanceTimeoutMs, this.memberId, groupInstanceId, 'consumer', protocols, null])
    this.memberId = joined.memberId
    this.generationId = joined.generationId
    this.protocolName = joined.protocolName
    this.isLeader = joined.leader === joined.memberId
    const assignments = this.isLeader ? await this.#assign(joined) : []
    const synced = await this.#wire.callRaw<{ assignment: Buffer }>('SyncGroup', coordinatorId, [groupId, this.generationId, this.memberId, groupInstanceId, 'consumer', this.protocolName, assignments])
    const assignment = decodeAssignment(synced.assignment ?? Buffer.alloc(0))
    this.#assignorNamed(this.protocolName).onAssignment?.({ partitions: assignment.partitions, userData: assignment.userData }, this.generationId)
    return assignment
  }

  async #assign(joined: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    const members: GroupMemberSubscription[] = joined.members.map((member) => {
      const subscription = decodeSubscription(member.metadata)
      return { memberId: member.memberId, groupInstanceId: member.groupInstanceId ?? null, ...subscription }
    })
    const topics = [...new Set(members.flatMap((member) => member.topics))]
    const context: AssignmentContext = { leaderId: joined.memberId, generationId: joined.generationId, members, partitionCounts: await this.#partitionCounts(topics) }
    const result: Map<string, MemberAssignment> = await this.#assignorNamed(joined.protocolName).assign(context)
    return members.map((member) => {
      const assignment = result.get(member.memberId) ?? { partitions: [] }
      return { memberId: member.memberId, assignment: encodeAssignment({ partitions: assignment.partitions, userData: assignment.userData ?? null }) }
    })
  }

  #assignorNamed(name: string | null): PartitionAssignor {
    const assignor = this.#options.assignors.find((candidate) => candidate.name === name) ?? this.#options.assignors[0]
    return assignor
  }

  /** Decides whether a failed join round may be retried, adjusting state; false = give up. */
  async #recover(error: unknown): Promise<boolean> {
    const codes = kafkaCodesOf(error)
    const has = (code: number): boolean => codes.includes(code)
    if (has(KafkaErrorCode.MemberIdRequired)) {
      const response = responseOf<{ memberId?: string }>(error)
      if (response?.memberId) this.memberId = response.memberId
      return true
    }
    if (has(KafkaErrorCode.UnknownMemberId)) {
      this.memberId = ''
      return true
    }
    if (has(KafkaErrorCode.NotCoordinator) || has(KafkaErrorCode.CoordinatorNotAvailable) || has(KafkaErrorCode.CoordinatorLoadInProgress)) {
      this.#coordinatorId = undefined
      await delay(200)
      return true
    }
    if (has(KafkaErrorCode.RebalanceInProgress) || has(KafkaErrorCode.IllegalGeneration) || has(KafkaErrorCode.InvalidRequest)) {
      // InvalidRequest: librdkafka's mock answers a follower's late SyncGroup so; a rejoin recovers.
      await delay(50)
      return true
    }
    const mapped = toClientError(error)
    if ((mapped instanceof ClientError || mapped instanceof KafkaProtocolError) && mapped.retriable) {
      this.#coordinatorId = undefined
      await delay(250)
      return true
    }
    return false
  }

  async #coordinator(): Promise<number> {
    this.#coordinatorId ??= await this.#wire.findCoordinator(0, this.#options.groupId)
    return this.#coordinatorId
  }

  #scheduleHeartbeat(): void {
    this.stopHeartbeat()
    this.#heartbeatTimer = setTimeout(() => void this.#heartbeat(), this.#options.heartbeatIntervalMs)
    this.#heartbeatTimer.unref()
  }

  async #heartbeat(): Promise<void> {
    const generationId = this.generationId
    try {
      const coordinatorId = await this.#coordinator()
      await this.#wire.callRaw('Heartbeat', coordinatorId, [this.#options.groupId, generationId, this.memberId, this.#options.groupInstanceId])
    } catch (error) {
      if (generationId !== this.generationId || this.#joining) return
      const codes = kafkaCodesOf(error)
      // Keep heartbeating while the rebalance waits for our JoinGroup (sent by the next poll):
      // the session stays alive until the rebalance timeout, as in Kafka's consumer.
      if (codes.includes(KafkaErrorCode.RebalanceInProgress)) this.#rejoin = 'rebalance'
      if (codes.includes(KafkaErrorCode.UnknownMemberId) || codes.includes(KafkaErrorCode.IllegalGeneration) || codes.includes(KafkaErrorCode.FencedInstanceId)) {
        if (codes.includes(KafkaErrorCode.UnknownMemberId)) this.memberId = ''
        this.#rejoin = 'lost'
        return
      }
      if (codes.includes(KafkaErrorCode.NotCoordinator) || codes.includes(KafkaErrorCode.CoordinatorNotAvailable)) this.#coordinatorId = undefined
    }
    if (generationId === this.generationId && this.#rejoin !== 'lost' && !this.#joining) this.#scheduleHeartbeat()
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// The streams partition assignor (the group leader runs it). Members announce their instance
// (processId, applicationServer) and the tasks they held (active and standby) in their
// subscription userData; the leader assigns whole tasks, so all source partitions of a task,
// co-partitioned topics included, go to one member. Sticky: a task stays with its previous
// owner while that owner is under its fair share. Balanced: no member gets more than
// ceil(tasks / members) active tasks. Standby replicas go to other members, preferring ones that
// already hold the task's state. Every member receives the full task → applicationServer map,
// which interactive queries use to route a key.
import type { AssignmentContext, MemberAssignment, PartitionAssignor, TopicPartition } from '@tributary/client'
import { compareTaskIds } from './task-id.ts'

export interface SubscriptionInfo {
  readonly version: 1
  readonly processId: string
  readonly applicationServer: string | null
  readonly activeTasks: readonly string[]
  readonly standbyTasks: readonly string[]
}

export interface AssignmentInfo {
  readonly version: 1
  readonly activeTasks: readonly string[]
  readonly standbyTasks: readonly string[]
  /** applicationServer → active tasks / standby tasks, over all members. */
  readonly hosts: Readonly<Record<string, { active: readonly string[]; standby: readonly string[] }>>
  readonly generationId: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeInfo(info: SubscriptionInfo | AssignmentInfo): Uint8Array {
  return encoder.encode(JSON.stringify(info))
}

export function decodeSubscriptionInfo(bytes: Uint8Array | null): SubscriptionInfo | null {
  if (bytes === null || bytes.length === 0) return null
  const info = JSON.parse(decoder.decode(bytes)) as SubscriptionInfo
  return info.version === 1 ? info : null
}

export function decodeAssignmentInfo(bytes: Uint8Array | null | undefined): AssignmentInfo | null {
  if (bytes === null || bytes === undefined || bytes.length === 0) return null
  const info = JSON.parse(decoder.decode(bytes)) as AssignmentInfo
  return info.version === 1 ? info : null
}

export interface ClientState {
  readonly id: string
  readonly previousActive: ReadonlySet<string>
  readonly previousStandby: ReadonlySet<string>
}

/** Pure task placement: task → active client, and task → standby clients. */
export function placeTasks(tasks: readonly string[], clients: readonly ClientState[], numStandbyReplicas: number): { active: Map<string, string>; standby: Map<string, string[]> } {
  const sortedTasks = [...tasks].sort(compareTaskIds)
  const sortedClients = [...clients].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const active = new Map<string, string>()
  const load = new Map(sortedClients.map((client) => [client.id, 0]))
  const capacity = Math.ceil(sortedTasks.length / Math.max(1, sortedClients.length))
  const give = (task: string, client: string): void => {
    active.set(task, client)
    load.set(client, load.get(client)! + 1)
  }
  // 1. Sticky: previous active owner.
  for (const task of sortedTasks) {
    const owner = sortedClients.find((client) => client.previousActive.has(task))
    if (owner !== undefined && load.get(owner.id)! < capacity) give(task, owner.id)
  }
  // 2. Previous standby owner (warm state), then the least loaded client.
  for (const task of sortedTasks) {
    if (active.has(task)) continue
    const warm = sortedClients.find((client) => client.previousStandby.has(task) && load.get(client.id)! < capacity)
    const target = warm ?? leastLoaded(sortedClients, load, () => true)
    if (target !== undefined) give(task, target.id)
  }
  // 3. Balance: sticky placement under the ceil cap may leave a member below the floor.
  for (;;) {
    const ordered = [...sortedClients].sort((a, b) => load.get(a.id)! - load.get(b.id)!)
    const lightest = ordered[0]
    const heaviest = ordered.at(-1)
    if (lightest === undefined || heaviest === undefined || load.get(heaviest.id)! - load.get(lightest.id)! <= 1) break
    const movable = sortedTasks.filter((task) => active.get(task) === heaviest.id)
    const task = movable.find((candidate) => lightest.previousStandby.has(candidate)) ?? movable.at(-1)!
    load.set(heaviest.id, load.get(heaviest.id)! - 1)
    give(task, lightest.id)
  }
  const standby = new Map<string, string[]>()
  const standbyLoad = new Map(sortedClients.map((client) => [client.id, 0]))
  for (let replica = 0; replica < numStandbyReplicas; replica++) {
    for (const task of sortedTasks) {
      const holders = standby.get(task) ?? []
      const eligible = (client: ClientState): boolean => client.id !== active.get(task) && !holders.includes(client.id)
      const warm = sortedClients.filter((client) => eligible(client) && (client.previousStandby.has(task) || client.previousActive.has(task)))
      const target = leastLoaded(warm, standbyLoad, () => true) ?? leastLoaded(sortedClients, standbyLoad, eligible)
      if (target === undefined) continue
      holders.push(target.id)
      standby.set(task, holders)
      standbyLoad.set(target.id, standbyLoad.get(target.id)! + 1)
    }
  }
  return { active, standby }
}

function leastLoaded(clients: readonly ClientState[], load: ReadonlyMap<string, number>, eligible: (client: ClientState) => boolean): ClientState | undefined {
  let best: ClientState | undefined
  for (const client of clients) if (eligible(client) && (best === undefined || load.get(client.id)! < load.get(best.id)!)) best = client
  return best
}

export interface StreamsAssignorOptions {
  /** Task id → source partitions, computed from the current topic plan. */
  tasks(): ReadonlyMap<string, readonly TopicPartition[]>
  subscription(): SubscriptionInfo
  numStandbyReplicas: number
  onAssignment(info: AssignmentInfo, partitions: readonly TopicPartition[]): void
}

/** The assignor given to the group consumer (protocol name 'stream', as Kafka Streams'). */
export function streamsAssignor(options: StreamsAssignorOptions): PartitionAssignor {
  return {
    name: 'stream',
    subscriptionUserData: () => encodeInfo(options.subscription()),
    assign(context: AssignmentContext): Map<string, MemberAssignment> {
      const tasks = options.tasks()
      const clients: ClientState[] = context.members.map((member) => {
        const info = decodeSubscriptionInfo(member.userData)
        return { id: member.memberId, previousActive: new Set(info?.activeTasks ?? []), previousStandby: new Set(info?.standbyTasks ?? []) }
      })
      const servers = new Map(context.members.map((member) => [member.memberId, decodeSubscriptionInfo(member.userData)?.applicationServer ?? null]))
      const { active, standby } = placeTasks([...tasks.keys()], clients, options.numStandbyReplicas)
      const hosts: Record<string, { active: string[]; standby: string[] }> = {}
      const perMember = new Map(context.members.map((member) => [member.memberId, { active: [] as string[], standby: [] as string[] }]))
      for (const [task, member] of active) perMember.get(member)!.active.push(task)
      for (const [task, members] of standby) for (const member of members) perMember.get(member)!.standby.push(task)
      for (const [member, owned] of perMember) {
        const server = servers.get(member)
        if (server !== null && server !== undefined) hosts[server] = owned
      }
      const result = new Map<string, MemberAssignment>()
      for (const [member, owned] of perMember) {
        const partitions = owned.active.flatMap((task) => [...(tasks.get(task) ?? [])])
        const info: AssignmentInfo = { version: 1, activeTasks: owned.active, standbyTasks: owned.standby, hosts, generationId: context.generationId }
        result.set(member, { partitions, userData: encodeInfo(info) })
      }
      return result
    },
    onAssignment(assignment) {
      const info = decodeAssignmentInfo(assignment.userData)
      if (info !== null) options.onAssignment(info, assignment.partitions)
    },
  }
}

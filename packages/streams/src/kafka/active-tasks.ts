// The active tasks of one instance: creates a StreamTask per assigned task id over a runtime
// view of the topology whose logged stores write their changelogs, routes input records to
// them, tracks the offsets to commit, and collects their output for the producer.
import type { ProducerRecord, TopicPartition } from '@tributary/client'
import { topicPartitionKey } from '@tributary/client'
import type { Topology } from '../topology/topology.ts'
import type { StateStore, StoreBuilder } from '../state/state-store.ts'
import type { Headers, SerializedRecord } from '../runtime/record.ts'
import type { RuntimeConfig } from '../runtime/runtime-config.ts'
import { StreamTask } from '../runtime/stream-task.ts'
import { changeloggingBuilder, type ChangelogSink } from './changelog-store.ts'
import type { RestoreTarget } from './restorer.ts'
import type { TopicPlan } from './topic-plan.ts'
import { formatTaskId, parseTaskId } from './task-id.ts'

export interface ActiveTask {
  readonly id: string
  readonly task: StreamTask
  readonly partitions: readonly TopicPartition[]
  /** Next offset to read per input partition, once a record was processed since the last commit. */
  readonly pendingOffsets: Map<string, TopicPartitionOffsetLike>
  state: 'restoring' | 'running'
}

interface TopicPartitionOffsetLike {
  topic: string
  partition: number
  offset: bigint
}

export class ActiveTasks {
  readonly tasks = new Map<string, ActiveTask>()
  /** Serialized output waiting for the producer (sink records and changelog records). */
  readonly output: ProducerRecord[]
  private readonly byPartition = new Map<string, ActiveTask>()
  private readonly runtimeTopology: Topology
  private readonly config: RuntimeConfig
  private readonly plan: TopicPlan

  /** `output` is shared when standby tasks, built here, may later be promoted to active. */
  private readonly globalStores: ReadonlyMap<string, StateStore>

  constructor(topology: Topology, plan: TopicPlan, config: RuntimeConfig, globalStores: ReadonlyMap<string, StateStore>, output: ProducerRecord[] = []) {
    this.output = output
    this.globalStores = globalStores
    this.config = config
    this.plan = plan
    const sink: ChangelogSink = (topic, partition, key, value) => {
      this.output.push({ topic, partition, key, value, timestamp: config.systemTimeMs() })
    }
    const stores = new Map<string, StoreBuilder>()
    for (const [name, builder] of topology.stores()) stores.set(name, changeloggingBuilder(builder, () => sink))
    // A view of the user's topology whose stores log their writes; the topology itself is untouched.
    this.runtimeTopology = Object.create(topology, { stores: { value: () => stores } }) as Topology
  }

  /** Creates the task; the caller restores `restoreTargets` before feeding it records. */
  create(taskId: string): { task: ActiveTask; restoreTargets: RestoreTarget[] } {
    const { subtopology: subtopologyId, partition } = parseTaskId(taskId)
    const sub = this.plan.subtopologies.find((candidate) => candidate.subtopology.id === subtopologyId)
    if (sub === undefined) throw new Error(`assertion failed: unknown sub-topology in task ${taskId}`)
    const collector = {
      send: (topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: Headers) => {
        this.output.push({ topic, key, value, timestamp, headers: headers as ProducerRecord['headers'] })
      },
    }
    const task = new StreamTask({ topology: this.runtimeTopology, subtopology: sub.subtopology, partition, config: this.config, collector, globalStores: this.globalStores })
    const partitions = sub.sourceTopics.filter((topic) => (this.plan.topicPartitions.get(topic) ?? 0) > partition).map((topic) => ({ topic, partition }))
    const active: ActiveTask = { id: formatTaskId({ subtopology: subtopologyId, partition }), task, partitions, pendingOffsets: new Map(), state: 'restoring' }
    this.add(active)
    const restoreTargets: RestoreTarget[] = []
    for (const registration of task.storeRegistrations()) {
      if (registration.changelogTopic !== null) restoreTargets.push({ store: registration.store, topic: registration.changelogTopic, partition })
    }
    return { task: active, restoreTargets }
  }

  add(task: ActiveTask): void {
    this.tasks.set(task.id, task)
    for (const tp of task.partitions) this.byPartition.set(topicPartitionKey(tp), task)
  }

  /** Removes a task from routing without closing it (suspension on revocation). */
  remove(taskId: string): ActiveTask | undefined {
    const task = this.tasks.get(taskId)
    if (task === undefined) return undefined
    this.tasks.delete(taskId)
    for (const tp of task.partitions) this.byPartition.delete(topicPartitionKey(tp))
    return task
  }

  taskFor(tp: TopicPartition): ActiveTask | undefined {
    return this.byPartition.get(topicPartitionKey(tp))
  }

  /** Processes one record in its task; returns false when no task owns its partition. */
  process(record: SerializedRecord): boolean {
    const active = this.byPartition.get(topicPartitionKey(record))
    if (active === undefined) return false
    active.task.process(record)
    active.task.punctuateStreamTime()
    active.pendingOffsets.set(topicPartitionKey(record), { topic: record.topic, partition: record.partition, offset: BigInt(record.offset) + 1n })
    return true
  }

  punctuateWallClock(): void {
    for (const active of this.tasks.values()) if (active.state === 'running') active.task.punctuateWallClockTime()
  }

  /** Flushes every task's stores and returns (and forgets) the offsets to commit. */
  prepareCommit(): TopicPartitionOffsetLike[] {
    const offsets: TopicPartitionOffsetLike[] = []
    for (const active of this.tasks.values()) {
      active.task.commit()
      offsets.push(...active.pendingOffsets.values())
    }
    return offsets
  }

  clearPendingOffsets(): void {
    for (const active of this.tasks.values()) active.pendingOffsets.clear()
  }

  droppedRecords(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const active of this.tasks.values()) for (const [reason, count] of active.task.droppedRecords) out[reason] = (out[reason] ?? 0) + count
    return out
  }
}

// Standby tasks keep warm copies of other instances' task state: their stores are built like
// an active task's and fed from the changelog partitions by a manually assigned consumer, but
// they never process input. When a standby task becomes active, only the changelog records
// after its position need restoring.
import { createConsumer, topicPartitionKey, type Consumer } from '@tributary/client'
import type { StateStore } from '../state/state-store.ts'
import { applyChangelogRecord } from './task-stores.ts'
import type { ActiveTask, ActiveTasks } from './active-tasks.ts'
import type { RestoreTarget } from './restorer.ts'

interface Standby {
  readonly task: ActiveTask
  readonly targets: RestoreTarget[]
}

export class StandbyTasks {
  private readonly factory: ActiveTasks
  private readonly consumer: Consumer
  private readonly standbys = new Map<string, Standby>()
  private readonly storeOf = new Map<string, StateStore>()
  private lastPollMs = 0

  constructor(factory: ActiveTasks, options: { bootstrapServers: string | readonly string[]; clientId: string; readCommitted: boolean }) {
    this.factory = factory
    this.consumer = createConsumer({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-standby`, isolationLevel: options.readCommitted ? 'read_committed' : 'read_uncommitted', autoOffsetReset: 'earliest', maxPollRecords: 5_000 })
  }

  get size(): number {
    return this.standbys.size
  }

  ids(): string[] {
    return [...this.standbys.keys()]
  }

  /** Keeps exactly `ids` as standby tasks (new ones start from the changelog start). */
  async update(ids: readonly string[]): Promise<void> {
    for (const [id, standby] of this.standbys) {
      if (ids.includes(id)) continue
      this.drop(id, standby)
      standby.task.task.close()
    }
    for (const id of ids) {
      if (this.standbys.has(id)) continue
      const { task, restoreTargets } = this.factory.create(id)
      this.factory.remove(task.id)
      this.standbys.set(id, { task, targets: restoreTargets })
      for (const target of restoreTargets) this.storeOf.set(topicPartitionKey(target), target.store)
    }
    const partitions = [...this.storeOf.keys()].map((key) => {
      const [topic, partition] = key.split('\u0000')
      return { topic, partition: Number(partition) }
    })
    const positions = new Map<string, bigint>()
    for (const tp of this.consumer.assignment()) positions.set(topicPartitionKey(tp), await this.consumer.position(tp))
    this.consumer.assign(partitions)
    for (const tp of partitions) {
      const position = positions.get(topicPartitionKey(tp))
      if (position !== undefined) this.consumer.seek(tp, position)
    }
    if (partitions.length > 0) await this.consumer.seekToBeginning(partitions.filter((tp) => !positions.has(topicPartitionKey(tp))))
  }

  /** Applies newly written changelog records (at most every intervalMs). */
  async maintain(nowMs: number, intervalMs: number): Promise<void> {
    if (this.storeOf.size === 0 || nowMs - this.lastPollMs < intervalMs) return
    this.lastPollMs = nowMs
    const records = await this.consumer.poll({ timeoutMs: 1 })
    for (const record of records) {
      const store = this.storeOf.get(topicPartitionKey(record))
      if (store !== undefined && record.key !== null) applyChangelogRecord(store, record)
    }
  }

  /** Hands a standby task over for activation, with where its restore must resume. */
  async promote(id: string): Promise<{ task: ActiveTask; restoreTargets: RestoreTarget[] } | undefined> {
    const standby = this.standbys.get(id)
    if (standby === undefined) return undefined
    const restoreTargets: RestoreTarget[] = []
    for (const target of standby.targets) restoreTargets.push({ ...target, startOffset: await this.consumer.position(target) })
    this.drop(id, standby)
    return { task: standby.task, restoreTargets }
  }

  async close(): Promise<void> {
    for (const standby of this.standbys.values()) standby.task.task.close()
    this.standbys.clear()
    this.storeOf.clear()
    await this.consumer.close()
  }

  private drop(id: string, standby: Standby): void {
    this.standbys.delete(id)
    for (const target of standby.targets) this.storeOf.delete(topicPartitionKey(target))
  }
}

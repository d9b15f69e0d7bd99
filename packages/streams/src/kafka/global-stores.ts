// Global stores (GlobalKTable, addGlobalStore) on Kafka: every instance reads all partitions
// of each global topic with a manually assigned consumer. Before processing starts the stores
// are bootstrapped to the topics' end offsets; afterwards new records are applied as the
// processing loop runs. Global stores have no changelog: the source topic is their log.
import { createAdmin, createConsumer, topicPartitionKey, type Consumer, type ConsumerRecord, type TopicPartition } from '@tributary/client'
import type { Topology } from '../topology/topology.ts'
import type { StateStore } from '../state/state-store.ts'
import type { RuntimeConfig } from '../runtime/runtime-config.ts'
import { GlobalStateUpdater } from '../runtime/global-state.ts'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'

export class GlobalStores {
  private readonly updater: GlobalStateUpdater
  private readonly consumer: Consumer | undefined
  private readonly bootstrapServers: string | readonly string[]
  private readonly readCommitted: boolean
  private lastPollMs = 0

  constructor(topology: Topology, runtime: RuntimeConfig, options: { bootstrapServers: string | readonly string[]; clientId: string; readCommitted: boolean }) {
    this.updater = new GlobalStateUpdater(topology, runtime)
    this.bootstrapServers = options.bootstrapServers
    this.readCommitted = options.readCommitted
    if (this.updater.topics().length > 0) {
      this.consumer = createConsumer({ bootstrapServers: options.bootstrapServers, clientId: `${options.clientId}-global`, isolationLevel: options.readCommitted ? 'read_committed' : 'read_uncommitted', autoOffsetReset: 'earliest', maxPollRecords: 10_000 })
    }
  }

  get stores(): ReadonlyMap<string, StateStore> {
    return this.updater.stores
  }

  droppedRecords(): ReadonlyMap<string, number> {
    return this.updater.droppedRecords
  }

  /** Reads every global topic from its start to its current end. */
  async bootstrap(): Promise<void> {
    if (this.consumer === undefined) return
    const admin = createAdmin({ bootstrapServers: this.bootstrapServers })
    let ends: Map<string, bigint>
    let partitions: TopicPartition[]
    try {
      const topics = this.updater.topics()
      const existing = new Set(await admin.listTopics())
      const missing = topics.filter((topic) => !existing.has(topic))
      if (missing.length > 0) throw new KafkaStreamsError(KafkaStreamsErrorCode.MissingSourceTopic, `global topics do not exist: ${missing.join(', ')}`)
      partitions = (await admin.describeTopics(topics)).flatMap((description) => description.partitions.map(({ partition }) => ({ topic: description.topic, partition })))
      const listed = await admin.listOffsets(partitions.map((tp) => ({ ...tp, at: 'latest' as const })), this.readCommitted ? 'read_committed' : 'read_uncommitted')
      ends = new Map(listed.map((offset) => [topicPartitionKey(offset), offset.offset]))
    } finally {
      await admin.close()
    }
    this.consumer.assign(partitions)
    await this.consumer.seekToBeginning(partitions)
    let behind = partitions
    while (behind.length > 0) {
      this.apply(await this.consumer.poll({ timeoutMs: 200 }))
      const still: TopicPartition[] = []
      for (const tp of behind) if ((await this.consumer.position(tp)) < ends.get(topicPartitionKey(tp))!) still.push(tp)
      behind = still
    }
  }

  /** Applies records written to the global topics since the last call (at most every intervalMs). */
  async maintain(nowMs: number, intervalMs: number): Promise<void> {
    if (this.consumer === undefined || nowMs - this.lastPollMs < intervalMs) return
    this.lastPollMs = nowMs
    this.apply(await this.consumer.poll({ timeoutMs: 1 }))
  }

  async close(): Promise<void> {
    for (const store of this.updater.stores.values()) store.close()
    await this.consumer?.close()
  }

  private apply(records: readonly ConsumerRecord[]): void {
    for (const record of records) {
      this.updater.process({ topic: record.topic, partition: record.partition, offset: Number(record.offset), key: record.key, value: record.value, timestamp: Number(record.timestamp), headers: record.headers })
    }
  }
}

// Windowed stream-stream joins, following Kafka's KStreamKStreamJoin (Kafka >= 3.1 semantics).
// Each side buffers its records in a window store (retention = before + after + grace). A record
// joins the other side's buffered records within the join window; the result timestamp is the
// larger of the two. For left/outer joins a record without a match waits in a shared "outer"
// store and is emitted with a null partner only once its window (plus grace) has closed —
// unless it is already past that point when it arrives, then it is emitted at once.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { StreamRecord } from '../../runtime/record.ts'
import type { WindowStore } from '../../state/window-store.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { Serde } from '../../serde/serde.ts'
import type { JoinWindows } from '../windows.ts'
import { hasKeyAndValue } from './has-key-and-value.ts'

/** Stream time and earliest pending outer record, shared by both sides of one join in one task. */
interface SharedTimeTracker {
  streamTimeMs: number
  minTimeMs: number
}

/** Key of the outer store: records ordered by timestamp, then side (right before left), then key. */
export interface OuterKey<K> {
  readonly timestamp: number
  readonly isLeftSide: boolean
  readonly key: K
}

export interface OuterValue<V, VO> {
  readonly left: V | null
  readonly right: VO | null
}

export function outerKeySerde<K>(keySerde: Serde<K>): Serde<OuterKey<K>> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const key = keySerde.serialize(topic, data.key) ?? new Uint8Array(0)
      const out = new Uint8Array(9 + key.byteLength)
      new DataView(out.buffer).setBigInt64(0, BigInt(data.timestamp))
      out[8] = data.isLeftSide ? 1 : 0
      out.set(key, 9)
      return out
    },
    deserialize(topic, data) {
      if (data === null) return null
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      return { timestamp: Number(view.getBigInt64(0)), isLeftSide: data[8] === 1, key: keySerde.deserialize(topic, data.subarray(9)) as K }
    },
  }
}

/** Buffers each record of one side in its window store, after forwarding it to the join. */
export function joinWindowSupplier<K, V>(storeName: string): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<any, any>
    let store: WindowStore<K, V>
    return {
      init(processorContext) {
        context = processorContext
        store = context.getStateStore(storeName)
      },
      process(record) {
        context.forward(record)
        if (record.key !== null && record.key !== undefined && record.value !== null && record.value !== undefined) store.put(record.key, record.value, record.timestamp)
      },
    }
  }
}

export interface StreamStreamJoinSide<K, VR> {
  readonly isLeftSide: boolean
  /** True when this side's unmatched records produce results (left side of a left join, both of an outer join). */
  readonly outer: boolean
  readonly otherStoreName: string
  readonly outerStoreName: string | null
  readonly windows: JoinWindows
  /** (leftValue, rightValue, key): this side's value goes in its own position. */
  readonly joiner: (left: any, right: any, key: K) => VR
}

/** Returns the two join processors, sharing one time tracker per task. */
export function streamStreamJoinSuppliers<K, VR>(left: StreamStreamJoinSide<K, VR>, right: StreamStreamJoinSide<K, VR>): [ProcessorSupplier<K, any, K, VR>, ProcessorSupplier<K, any, K, VR>] {
  const trackers = new Map<string, SharedTimeTracker>()
  const trackerFor = (taskId: string): SharedTimeTracker => {
    let tracker = trackers.get(taskId)
    if (tracker === undefined) trackers.set(taskId, (tracker = { streamTimeMs: -1, minTimeMs: Number.MAX_SAFE_INTEGER }))
    return tracker
  }
  return [() => new JoinSideProcessor(left, trackerFor), () => new JoinSideProcessor(right, trackerFor)]
}

class JoinSideProcessor<K, V, VO, VR> {
  private readonly side: StreamStreamJoinSide<K, VR>
  private readonly trackerFor: (taskId: string) => SharedTimeTracker
  private readonly joinBeforeMs: number
  private readonly joinAfterMs: number
  private context!: ProcessorContext<K, VR>
  private tracker!: SharedTimeTracker
  private otherStore!: WindowStore<K, VO>
  private outerStore: KeyValueStore<OuterKey<K>, OuterValue<any, any>[]> | null = null

  constructor(side: StreamStreamJoinSide<K, VR>, trackerFor: (taskId: string) => SharedTimeTracker) {
    this.side = side
    this.trackerFor = trackerFor
    // The right side sees the window mirrored.
    this.joinBeforeMs = side.isLeftSide ? side.windows.beforeMs : side.windows.afterMs
    this.joinAfterMs = side.isLeftSide ? side.windows.afterMs : side.windows.beforeMs
  }

  init(context: ProcessorContext<K, VR>): void {
    this.context = context
    this.tracker = this.trackerFor(context.taskId)
    this.otherStore = context.getStateStore(this.side.otherStoreName)
    if (this.side.outerStoreName !== null) this.outerStore = context.getStateStore<KeyValueStore<OuterKey<K>, OuterValue<any, any>[]>>(this.side.outerStoreName)
  }

  process(record: StreamRecord<K, V>): void {
    const timestamp = record.timestamp
    this.tracker.streamTimeMs = Math.max(this.tracker.streamTimeMs, timestamp)
    if (this.side.outer && (record.key === null || record.key === undefined) && record.value !== null && record.value !== undefined) {
      this.context.forward(record.withValue(this.joinWithNull(record.key, record.value)))
      return
    }
    if (!hasKeyAndValue(this.context, record, 'stream-stream join')) return
    if (timestamp === this.tracker.streamTimeMs && this.outerStore !== null) this.emitNonJoinedOuterRecords(record)
    const timeFromMs = Math.max(0, timestamp - this.joinBeforeMs)
    const timeToMs = Math.max(0, timestamp + this.joinAfterMs)
    const matches = [...this.otherStore.fetch(record.key, timeFromMs, timeToMs)]
    for (const match of matches) {
      this.outerStore?.delete({ timestamp: match.timestamp, isLeftSide: !this.side.isLeftSide, key: record.key })
      const value = this.side.isLeftSide ? this.side.joiner(record.value, match.value, record.key) : this.side.joiner(match.value, record.value, record.key)
      this.context.forward(record.withValue(value).withTimestamp(Math.max(timestamp, match.timestamp)))
    }
    if (!this.side.outer || matches.length > 0) return
    if (this.outerStore === null || timeToMs < this.tracker.streamTimeMs) {
      this.context.forward(record.withValue(this.joinWithNull(record.key, record.value)))
      return
    }
    this.tracker.minTimeMs = Math.min(this.tracker.minTimeMs, timestamp)
    const outerKey: OuterKey<K> = { timestamp, isLeftSide: this.side.isLeftSide, key: record.key }
    const pending = this.outerStore.get(outerKey) ?? []
    this.outerStore.put(outerKey, [...pending, this.side.isLeftSide ? { left: record.value, right: null } : { left: null, right: record.value }])
  }

  private joinWithNull(key: K, value: V): VR {
    return this.side.isLeftSide ? this.side.joiner(value, null, key) : this.side.joiner(null, value, key)
  }

  private emitNonJoinedOuterRecords(record: StreamRecord<K, V>): void {
    const { windows } = this.side
    const tracker = this.tracker
    if (tracker.minTimeMs + this.joinAfterMs + windows.graceMs >= tracker.streamTimeMs) return
    tracker.minTimeMs = Number.MAX_SAFE_INTEGER
    let leftOpen = false
    let rightOpen = false
    for (const { key: outerKey, value: pending } of [...this.outerStore!.all()]) {
      tracker.minTimeMs = outerKey.timestamp
      if (leftOpen && rightOpen) break
      // Left records look ahead by `after`, right records by `before`.
      const lookBackMs = outerKey.isLeftSide ? windows.afterMs : windows.beforeMs
      if (tracker.minTimeMs + lookBackMs + windows.graceMs >= tracker.streamTimeMs) {
        if (outerKey.isLeftSide) leftOpen = true
        else rightOpen = true
        continue
      }
      for (const value of pending) {
        this.context.forward(record.withKey(outerKey.key).withValue(this.side.joiner(value.left, value.right, outerKey.key)).withTimestamp(outerKey.timestamp) as StreamRecord<K, any>)
      }
      this.outerStore!.delete(outerKey)
    }
  }
}

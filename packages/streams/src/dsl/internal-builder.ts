// Shared state of one StreamsBuilder: the topology under construction and Kafka-style node
// naming (`KSTREAM-FILTER-0000000001`): one counter for all processor and store names.
import { Topology } from '../topology/topology.ts'
import type { ProcessorSupplier, ProcessorContext } from '../runtime/processor.ts'
import type { StoreBuilder } from '../state/state-store.ts'
import type { ValueAndTimestamp } from '../state/windowed.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'

export class InternalBuilder {
  readonly topology = new Topology()
  private index = 0

  newProcessorName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`
  }

  /** Adds a processor and returns its name. */
  addProcessor(name: string, supplier: ProcessorSupplier<any, any, any, any>, parents: readonly string[], stores: readonly string[] = []): string {
    this.topology.addProcessor(name, supplier, ...parents)
    if (stores.length > 0) this.topology.connectProcessorAndStateStores(...stores.map((store) => [name, store] as const))
    return name
  }

  addStore(builder: StoreBuilder, ...processorNames: string[]): void {
    this.topology.addStateStore(builder, ...processorNames)
  }
}

/** Reads a table's current value by key, from a store or computed through upstream getters. */
export type ValueGetter<K, V> = (key: K) => ValueAndTimestamp<V> | null

export interface ValueGetterSupplier<K, V> {
  /** Stores a processor must be connected to before it can create the getter. */
  readonly storeNames: readonly string[]
  create(context: ProcessorContext<any, any>): ValueGetter<K, V>
}

/** A getter that reads a timestamped key-value store. */
export function storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    create(context) {
      const store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName)
      return (key) => store.get(key)
    },
  }
}

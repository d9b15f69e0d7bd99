// GlobalKTable: a handle on a global store; only usable as the right side of a stream join.
import { storeGetter, type ValueGetterSupplier } from './internal-builder.ts'

export class GlobalKTable<K, V> {
  /** The global store holding the table. */
  readonly queryableStoreName: string

  /** @internal Created by StreamsBuilder#globalTable. */
  constructor(storeName: string) {
    this.queryableStoreName = storeName
  }

  /** @internal */
  valueGetter(): ValueGetterSupplier<K, V> {
    return storeGetter(this.queryableStoreName)
  }
}

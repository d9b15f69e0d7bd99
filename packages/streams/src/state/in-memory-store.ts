// InMemoryStore: the lifecycle every in-memory store shares. Nothing to open or commit: `init`
// opens, `close` closes, `flush` has nothing to do, and every operation in between checks the
// store is open. Keys are identified (and ordered) through the key serde's KeyIdentity.
import type { KeyIdentity, StateStore, StateStoreContext } from './state-store.ts'
import { keyIdentity, storeClosed } from './state-store.ts'
import type { Serde } from '../serde/serde.ts'

export abstract class InMemoryStore<K> implements StateStore {
  readonly name: string
  readonly persistent = false
  protected readonly identity: KeyIdentity<K>
  #open = false

  constructor(name: string, keySerde: Serde<K>) {
    this.name = name
    this.identity = keyIdentity(keySerde, name)
  }

  init(_context: StateStoreContext): void {
    this.#open = true
  }

  flush(): void {}

  close(): void {
    this.#open = false
  }

  isOpen(): boolean {
    return this.#open
  }

  /** Throws the store-closed error outside `init` … `close`. */
  protected checkOpen(): void {
    if (!this.#open) throw storeClosed(this.name)
  }
}

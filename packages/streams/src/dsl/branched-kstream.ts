// KStream#split(): routes each record to the first branch whose predicate matches (KIP-418).
// Branch names are the split name followed by the branch name, or by its position from 1
// ("0" for the default branch), as in Kafka.
import { passThroughSupplier, branchSupplier } from './operators/stateless.ts'
import { KStream } from './kstream.ts'

export interface Branched<K, V> {
  /** Suffix of the branch's name in the result map. */
  readonly name?: string
  /** Transforms the branch; the returned stream goes in the result map (nothing if void). */
  readonly chain?: (branch: KStream<K, V>) => KStream<any, any> | void
}

export class BranchedKStream<K, V> {
  private readonly source: KStream<K, V>
  private readonly splitName: string
  private readonly predicates: Array<(key: K, value: V) => boolean> = []
  private readonly branches: Array<{ name: string; branched: Branched<K, V> }> = []
  private done = false

  /** @internal */
  constructor(source: KStream<K, V>, splitName: string) {
    this.source = source
    this.splitName = splitName
  }

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V> = {}): this {
    if (this.done) throw new Error('assertion failed: split() already finished')
    this.predicates.push(predicate)
    this.branches.push({ name: `${this.splitName}${branched.name ?? String(this.predicates.length)}`, branched })
    return this
  }

  defaultBranch(branched: Branched<K, V> = {}): Map<string, KStream<any, any>> {
    return this.finish({ name: `${this.splitName}${branched.name ?? '0'}`, branched })
  }

  noDefaultBranch(): Map<string, KStream<any, any>> {
    return this.finish(null)
  }

  private finish(defaultBranch: { name: string; branched: Branched<K, V> } | null): Map<string, KStream<any, any>> {
    this.done = true
    const { builder } = this.source.internals
    const all = defaultBranch === null ? this.branches : [...this.branches, defaultBranch]
    const childNames = all.map((branch) => `${branch.name}-branch`)
    builder.addProcessor(this.splitName, branchSupplier(this.predicates, childNames, defaultBranch === null ? null : childNames[childNames.length - 1]), [this.source.internals.name])
    const out = new Map<string, KStream<any, any>>()
    all.forEach((branch, index) => {
      builder.addProcessor(childNames[index], passThroughSupplier(), [this.splitName])
      const stream = new KStream<K, V>({ ...this.source.internals, name: childNames[index] })
      const result = branch.branched.chain === undefined ? stream : branch.branched.chain(stream)
      if (result !== undefined) out.set(branch.name, result)
    })
    return out
  }
}

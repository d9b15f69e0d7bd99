// Sub-topologies are the connected components of the node graph, where processors that share
// a store are connected too. A repartition topic splits the graph because its sink and its
// source are distinct nodes with no edge between them. Global store nodes form no sub-topology.
import type { Topology } from './topology.ts'

export interface Subtopology {
  readonly id: number
  /** Node names in insertion order. */
  readonly nodes: readonly string[]
  readonly sourceTopics: readonly string[]
  /** Fixed sink topics (per-record topics are decided at runtime). */
  readonly sinkTopics: readonly string[]
  readonly stores: readonly string[]
}

export function computeSubtopologies(topology: Topology): Subtopology[] {
  const names = [...topology.nodes().keys()]
  const order = new Map(names.map((name, index) => [name, index]))
  const parent = names.map((_, index) => index)
  const find = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]]
    return index
  }
  const union = (left: number, right: number): void => {
    const a = find(left)
    const b = find(right)
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
  }
  const storeUser = new Map<string, number>()
  const globalStoreNames = new Set(topology.globalStores().map((global) => global.store.name))
  for (const [name, node] of topology.nodes()) {
    const index = order.get(name)!
    if (node.kind !== 'sink') for (const child of node.children) union(index, order.get(child)!)
    if (node.kind === 'processor') {
      for (const store of node.stores) {
        if (globalStoreNames.has(store)) continue
        const first = storeUser.get(store)
        if (first === undefined) storeUser.set(store, index)
        else union(index, first)
      }
    }
  }
  const globalNodes = new Set(topology.globalStores().flatMap((global) => [global.sourceName, global.processorName]))
  const groups = new Map<number, string[]>()
  for (const name of names) {
    if (globalNodes.has(name)) continue
    const root = find(order.get(name)!)
    const group = groups.get(root) ?? []
    group.push(name)
    groups.set(root, group)
  }
  return [...groups.values()].map((nodes, id) => {
    const sourceTopics: string[] = []
    const sinkTopics: string[] = []
    const stores: string[] = []
    for (const name of nodes) {
      const node = topology.nodes().get(name)!
      if (node.kind === 'source') sourceTopics.push(...node.topics)
      else if (node.kind === 'sink' && typeof node.topic === 'string') sinkTopics.push(node.topic)
      else if (node.kind === 'processor') for (const store of node.stores) if (!stores.includes(store) && !globalStoreNames.has(store)) stores.push(store)
    }
    return { id, nodes, sourceTopics, sinkTopics, stores }
  })
}

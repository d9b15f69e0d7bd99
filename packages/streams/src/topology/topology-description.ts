// `describe()` output, laid out like Kafka's TopologyDescription text so users can compare.
import type { Topology, NodeDefinition } from './topology.ts'
import type { Subtopology } from './subtopology.ts'

export interface TopologyDescription {
  readonly subtopologies: readonly Subtopology[]
  readonly globalStores: readonly { id: number; source: string; topic: string; processor: string; store: string }[]
  /** The printable text. */
  toString(): string
}

export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies = topology.subtopologies()
  const globalStores = topology.globalStores().map((global, index) => ({
    id: subtopologies.length + index,
    source: global.sourceName,
    topic: global.topic,
    processor: global.processorName,
    store: global.store.name,
  }))
  const lines: string[] = ['Topologies:']
  for (const subtopology of subtopologies) {
    lines.push(`   Sub-topology: ${subtopology.id}`)
    for (const name of subtopology.nodes) lines.push(...describeNode(topology.nodes().get(name)!))
  }
  for (const global of globalStores) {
    lines.push(`  Sub-topology: ${global.id} for global store (will not generate tasks)`)
    lines.push(...describeNode(topology.nodes().get(global.source)!))
    lines.push(...describeNode(topology.nodes().get(global.processor)!))
  }
  const text = lines.join('\n') + '\n'
  return { subtopologies, globalStores, toString: () => text }
}

function arrows(prefix: string, names: readonly string[]): string {
  return `      ${prefix} ${names.length === 0 ? 'none' : names.join(', ')}`
}

function describeNode(node: NodeDefinition): string[] {
  switch (node.kind) {
    case 'source':
      return [`    Source: ${node.name} (topics: [${node.topics.join(', ')}])`, arrows('-->', node.children)]
    case 'processor':
      return [`    Processor: ${node.name} (stores: [${node.stores.join(', ')}])`, arrows('-->', node.children), arrows('<--', node.parents)]
    case 'sink': {
      const topic = typeof node.topic === 'string' ? `topic: ${node.topic}` : 'extractor: per-record topic'
      return [`    Sink: ${node.name} (${topic})`, arrows('<--', node.parents)]
    }
  }
}

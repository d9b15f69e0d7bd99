// A processor instance wired to its children, with a context bound to it. Forwarding is a
// direct call into each child's `process`, depth first, as in Kafka Streams.
import type { StateStore } from '../state/state-store.ts'
import { StreamsError, StreamsErrorCode } from '../errors.ts'
import type { Cancellable, DropReason, Processor, ProcessorContext, Punctuator, PunctuationType } from './processor.ts'
import type { RecordMetadata, StreamRecord } from './record.ts'

/** What a node needs from the task that runs it. */
export interface NodeHost {
  readonly applicationId: string
  readonly taskId: string
  store(name: string): StateStore | undefined
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable
  recordMetadata(): RecordMetadata | null
  streamTimeMs(): number
  systemTimeMs(): number
  recordDropped(node: string, reason: DropReason, detail: string): void
}

export class ProcessorNode implements ProcessorContext<unknown, unknown> {
  readonly name: string
  readonly processor: Processor<any, any, any, any>
  readonly children: ProcessorNode[] = []
  private readonly host: NodeHost
  private readonly allowedStores: ReadonlySet<string>

  constructor(name: string, processor: Processor<any, any, any, any>, host: NodeHost, allowedStores: ReadonlySet<string>) {
    this.name = name
    this.processor = processor
    this.host = host
    this.allowedStores = allowedStores
  }

  get applicationId(): string {
    return this.host.applicationId
  }

  get taskId(): string {
    return this.host.taskId
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    const children = this.children
    if (childName !== undefined) {
      const child = children.find((node) => node.name === childName)
      if (child === undefined) throw new StreamsError(StreamsErrorCode.Topology, `node '${this.name}' has no child '${childName}'`)
      child.processor.process(record)
      return
    }
    for (let index = 0; index < children.length; index++) children[index].processor.process(record)
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    const store = this.allowedStores.has(name) ? this.host.store(name) : undefined
    if (store === undefined) throw new StreamsError(StreamsErrorCode.UnknownStore, `processor '${this.name}' has no access to store '${name}'; connect it in the topology`)
    return store as S
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.host.schedule(intervalMs, type, punctuator)
  }

  recordMetadata(): RecordMetadata | null {
    return this.host.recordMetadata()
  }

  currentStreamTimeMs(): number {
    return this.host.streamTimeMs()
  }

  currentSystemTimeMs(): number {
    return this.host.systemTimeMs()
  }

  recordDropped(reason: DropReason, detail: string): void {
    this.host.recordDropped(this.name, reason, detail)
  }
}

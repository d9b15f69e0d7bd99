// Allocation sampling of another Node process through its inspector (node --inspect): V8's
// sampling heap profiler, counting objects that the young- and old-generation GCs already
// collected too, so the result shows allocation churn (what makes the GC run), not only what
// is still alive. Used by profile.ts --allocations.
import { join } from 'node:path'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface SamplingHeapProfileNode {
  callFrame: CallFrame
  selfSize: number
  children: SamplingHeapProfileNode[]
}

export interface AllocationSite {
  /** `function (file:line)` */
  name: string
  bytes: number
  share: number
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
export class InspectorSession {
  readonly #socket: WebSocket
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  #nextId = 1

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } }
      if (message.id === undefined) return
      const waiter = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message))
      else waiter?.resolve(message.result)
    })
  }

  static open(url: string): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      socket.addEventListener('open', () => resolve(new InspectorSession(socket)), { once: true })
      socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)), { once: true })
    })
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject })
      this.#socket.send(JSON.stringify({ id, method, params }))
    })
  }

  close(): void {
    this.#socket.close()
  }
}

/** Starts sampling (one sample per `samplingIntervalBytes` allocated on average). */
export async function startAllocationSampling(session: InspectorSession, samplingIntervalBytes = 32 * 1024): Promise<void> {
  await session.send('HeapProfiler.enable')
  await session.send('HeapProfiler.startSampling', { samplingInterval: samplingIntervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
}

/** Stops sampling; returns the top allocation sites by bytes (JS heap objects, not Buffer contents). */
export async function stopAllocationSampling(session: InspectorSession, top = 25): Promise<{ totalBytes: number; sites: AllocationSite[] }> {
  const { profile } = await session.send<{ profile: { head: SamplingHeapProfileNode } }>('HeapProfiler.stopSampling')
  const bySite = new Map<string, number>()
  const visit = (node: SamplingHeapProfileNode): void => {
    if (node.selfSize > 0) {
      const frame = node.callFrame
      const url = frame.url.startsWith('file://') ? frame.url.slice('file://'.length).replace(`${join(import.meta.dirname, '..', '..')}/`, '') : frame.url
      const name = `${frame.functionName || '(anonymous)'}${url === '' ? '' : ` (${url}:${frame.lineNumber + 1})`}`
      bySite.set(name, (bySite.get(name) ?? 0) + node.selfSize)
    }
    for (const child of node.children) visit(child)
  }
  visit(profile.head)
  const totalBytes = [...bySite.values()].reduce((sum, bytes) => sum + bytes, 0)
  const sites = [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => ({ name, bytes, share: totalBytes === 0 ? 0 : bytes / totalBytes }))
  return { totalBytes, sites }
}

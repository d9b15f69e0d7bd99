// The two brokers the benchmark compares, each run as its own child process so its RSS and CPU
// are its own: OUR broker (`bin/tributary.js broker`, flush policy `os`, data on disk) and
// refbroker (librdkafka's in-memory mock cluster, /work/shared/tools/refbroker).
import { spawn, spawnSync } from 'node:child_process'
import { ensureRefbroker as ensureReferenceBuild, startRefbroker as startReference } from '@tributary/testing'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const targetNames = ['ours', 'refbroker'] as const
export type TargetName = (typeof targetNames)[number]

export interface BenchBroker {
  readonly name: TargetName
  readonly pid: number
  /** host:port for kcat -b. */
  readonly bootstrap: string
  /** Creates `topic` with `partitions` partitions (before any timing starts). */
  createTopic(topic: string, partitions: number): Promise<void>
  /** Records the broker still holds for `topic` (sum of highWatermark - logStartOffset), if it can tell. */
  retainedRecords(topic: string): Promise<number | undefined>
  /** The Node inspector's WebSocket URL when the broker runs with --inspect (ours only). */
  readonly inspectorUrl?: string
  /** SIGTERM, then waits for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>
}

export const repositoryRoot = join(import.meta.dirname, '..', '..')

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * Lines of a child's stdout, queued: readline may emit several lines in one tick, so each is
 * kept until someone asks for it.
 */
class LineQueue {
  readonly #child: ChildProcess
  readonly #what: string
  readonly #lines: string[] = []
  #waiter: ((line: string | undefined) => void) | undefined
  #exitCode: number | null | undefined

  constructor(child: ChildProcess, what: string) {
    this.#child = child
    this.#what = what
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.#waiter !== undefined) this.#settle(line)
      else this.#lines.push(line)
    })
    child.once('exit', (code) => {
      this.#exitCode = code
      this.#settle(undefined)
    })
  }

  #settle(line: string | undefined): void {
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.(line)
  }

  /** The next line, or an error if the process exits or `timeoutMs` passes first. */
  next(timeoutMs: number): Promise<string> {
    const queued = this.#lines.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    if (this.#exitCode !== undefined) return Promise.reject(new Error(`${this.#what}: process exited (${this.#exitCode})`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        reject(new Error(`${this.#what}: no line within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiter = (line) => {
        clearTimeout(timer)
        if (line === undefined) reject(new Error(`${this.#what}: process exited (${this.#exitCode}) before printing a line`))
        else resolve(line)
      }
    })
  }
}

/** Runs `body`; if it throws, kills `child` before rethrowing, so no broker outlives a failed start. */
async function killOnFailure<T>(child: ChildProcess, body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
}

/** Topic metadata through kcat -L: the number of partitions, or 0 when the topic is absent. */
export function kcatPartitionCount(bootstrap: string, topic: string): number {
  const result = spawnSync('kcat', ['-L', '-b', bootstrap, '-t', topic, '-m', '10'], { encoding: 'utf8', timeout: 20_000 })
  const match = /topic "[^"]+" with (\d+) partitions/.exec(result.stdout ?? '')
  return match === null ? 0 : Number(match[1])
}

export interface OurBrokerOptions {
  dataDir: string
  /** Extra Node flags for the broker process (e.g. --cpu-prof). */
  nodeArguments?: readonly string[]
  logLevel?: string
}

/**
 * Starts `node bin/tributary.js broker --port 0 --flush-policy os` on the same Node binary as
 * this process. Topics are made by auto-creation with `--num-partitions`, so a broker instance
 * serves topics of one partition count: createTopic checks that it matches.
 */
export async function startOurBroker(options: OurBrokerOptions & { partitions: number }): Promise<BenchBroker> {
  mkdirSync(options.dataDir, { recursive: true })
  const cliArguments = ['broker', '--port', '0', '--data-dir', options.dataDir, '--flush-policy', 'os', '--num-partitions', String(options.partitions), '--log-level', options.logLevel ?? 'warn']
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), join(repositoryRoot, 'bin', 'tributary.js'), ...cliArguments], { stdio: ['ignore', 'pipe', 'pipe'] })
  // stderr is passed through, except Node's inspector banner (its URL is kept) and the shutdown notice.
  let inspectorUrl: string | undefined
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const debuggerUrl = /^Debugger listening on (ws:\/\/\S+)/.exec(line)
    if (debuggerUrl !== null) inspectorUrl = debuggerUrl[1]
    else if (!/^(For help, see|Debugger (attached|ending))/.test(line) && !line.endsWith('received, shutting down')) process.stderr.write(`[tributary broker] ${line}\n`)
  })
  const lines = new LineQueue(child, 'tributary broker')
  const bootstrap = await killOnFailure(child, async () => {
    const first = await lines.next(60_000)
    const match = /^listening on (\S+):(\d+)$/.exec(first)
    if (match === null) throw new Error(`tributary broker printed '${first}', expected 'listening on HOST:PORT'`)
    return `${match[1]}:${match[2]}`
  })
  return {
    name: 'ours',
    pid: child.pid!,
    bootstrap,
    get inspectorUrl() {
      return inspectorUrl
    },
    async createTopic(topic, partitions) {
      if (partitions !== options.partitions) throw new Error(`this broker auto-creates ${options.partitions} partitions, not ${partitions}`)
      // Metadata naming the topic auto-creates it (kcat -L is a producer handle, which allows that).
      for (let attempt = 0; attempt < 20; attempt++) {
        const found = kcatPartitionCount(bootstrap, topic)
        if (found === partitions) return
        if (found !== 0) throw new Error(`topic ${topic} has ${found} partitions, expected ${partitions}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      throw new Error(`topic ${topic} was not auto-created on ${bootstrap}`)
    },
    async retainedRecords() {
      return undefined
    },
    async stop(timeoutMs = 30_000) {
      child.kill('SIGTERM')
      await waitForExit(child, timeoutMs)
    },
  }
}

/**
 * Builds refbroker when its cache is empty (see @tributary/testing: TRIBUTARY_REFBROKER uses a
 * given binary, TRIBUTARY_SHARED_DIR points at the sources), so no build happens inside a timed
 * run. Throws when it cannot be built (needs gcc and librdkafka-dev).
 */
export function ensureRefbroker(log: (line: string) => void = () => {}): void {
  const found = ensureReferenceBuild(log)
  if ('unavailable' in found) throw new Error(found.unavailable)
}

/** Starts refbroker (one broker, control channel on stdin) with `topics` pre-created (name -> partitions). */
export async function startRefbroker(topics: ReadonlyMap<string, number>): Promise<BenchBroker> {
  const refbroker = await startReference({
    topics: [...topics].map(([name, partitions]) => ({ name, partitions, replicationFactor: 1 })),
    echoStderr: true,
  })
  return {
    name: 'refbroker',
    pid: refbroker.pid,
    bootstrap: refbroker.bootstrap,
    async createTopic(topic, partitions) {
      if (topics.get(topic) !== partitions) await refbroker.createTopic(topic, partitions, 1)
      const found = kcatPartitionCount(refbroker.bootstrap, topic)
      if (found !== partitions) throw new Error(`refbroker topic ${topic} has ${found} partitions, expected ${partitions}`)
    },
    async retainedRecords(topic) {
      const reply = await refbroker.command(`watermarks ${topic}`)
      const retained = /retained=(\d+)/.exec(reply)
      const startNonZero = /start_nonzero=(\d+)/.exec(reply)
      if (startNonZero !== null && Number(startNonZero[1]) > 0) {
        throw new Error(`refbroker dropped records of ${topic} (its ~5 MiB per-partition retention): ${reply}. Use more partitions or fewer records.`)
      }
      return retained === null ? undefined : Number(retained[1])
    },
    stop: (timeoutMs = 10_000) => refbroker.close(timeoutMs),
  }
}

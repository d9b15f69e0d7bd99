// refbroker: librdkafka's mock cluster (../shared/tools/refbroker), the "somebody else's broker"
// the client suite, the compat suites, the fixture recorder and the benchmarks run against. This
// module owns the path convention of its build cache (kept in sync with .ci/setup-machine.sh) and
// a small process wrapper around its `-C` control channel.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const repositoryRoot = resolve(import.meta.dirname, '../../..')

/** Directory holding the refbroker sources: $TRIBUTARY_SHARED_DIR/tools/refbroker or ../shared. */
export function refbrokerSourceDir(): string {
  return join(process.env.TRIBUTARY_SHARED_DIR ?? join(repositoryRoot, '..', 'shared'), 'tools', 'refbroker')
}

/** Where the build lives: $TRIBUTARY_REFBROKER, else a cache outside the repository keyed by a hash of refbroker.c. */
export function refbrokerBinaryPath(): string {
  if (process.env.TRIBUTARY_REFBROKER) return process.env.TRIBUTARY_REFBROKER
  const cacheDir = process.env.TRIBUTARY_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tributary')
  const source = join(refbrokerSourceDir(), 'refbroker.c')
  const hash = existsSync(source) ? createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12) : 'missing'
  return join(cacheDir, `refbroker-${hash}`)
}

/**
 * Returns the path of a built refbroker, building it (a few seconds of gcc) when the cache is
 * empty, or a reason why that is impossible: callers turn the reason into a test skip.
 */
export function ensureRefbroker(log: (line: string) => void = () => {}): { path: string } | { unavailable: string } {
  const path = refbrokerBinaryPath()
  if (existsSync(path)) return { path }
  if (process.env.TRIBUTARY_REFBROKER) return { unavailable: `TRIBUTARY_REFBROKER=${path} does not exist` }
  const sourceDir = refbrokerSourceDir()
  if (!existsSync(join(sourceDir, 'build.sh'))) return { unavailable: `refbroker sources not found in ${sourceDir}` }
  mkdirSync(join(path, '..'), { recursive: true })
  log(`building refbroker -> ${path}`)
  const build = spawnSync('bash', [join(sourceDir, 'build.sh')], { env: { ...process.env, OUT: `${path}.partial` }, encoding: 'utf8' })
  if (build.status !== 0) {
    const detail = build.error?.message ?? `${build.stderr ?? ''}${build.stdout ?? ''}`.trim()
    return { unavailable: `refbroker build failed (needs bash, gcc and librdkafka-dev; run .ci/setup-machine.sh): ${detail}` }
  }
  renameSync(`${path}.partial`, path)
  return { path }
}

export type RefbrokerOptions = {
  /** Number of brokers, ids 1..N (default 1). */
  brokers?: number
  /** Fixed port of broker 1 (broker i listens on port+i-1); ephemeral when omitted. */
  port?: number
  /** Topics created before READY (replicationFactor defaults to min(3, brokers)). */
  topics?: { name: string; partitions: number; replicationFactor?: number }[]
  /** `-d` debug contexts (librdkafka logging to stderr), e.g. 'mock,protocol'. */
  debug?: string
  /** Also copy refbroker's stderr to this process's stderr (it is always kept for stderrTail). */
  echoStderr?: boolean
  /**
   * Applies the two workarounds refbroker's README lists for real clients: ListOffsets capped at
   * v3 (v4+ writes LeaderEpoch as int64) and InitProducerId capped at v2 (v3+ refuses
   * producerId 0 / producerEpoch 0 from idempotent producers).
   */
  clientWorkarounds?: boolean
  /** How long to wait for the bootstrap line and READY, and for each command's reply (default 20 s). */
  replyTimeoutMs?: number
}

export type Refbroker = {
  readonly pid: number
  /** "127.0.0.1:P1,127.0.0.1:P2" as printed by refbroker. */
  bootstrap: string
  brokers: { nodeId: number; host: string; port: number }[]
  /** Sends one control command and returns its reply line; rejects on `ERR ...`. Commands run one at a time. */
  command(line: string): Promise<string>
  createTopic(name: string, partitions: number, replicationFactor?: number): Promise<void>
  /** Low/high watermark per partition, from the control channel. */
  watermarks(topic: string): Promise<{ partition: number; low: bigint; high: bigint }[]>
  /** Last stderr output (for failure messages). */
  stderrTail(): string
  /** Ends the control channel and SIGTERMs it; SIGKILL if it has not exited after `timeoutMs` (default 10 s). */
  close(timeoutMs?: number): Promise<void>
}

const stderrTailMaxBytes = 64 * 1024

/** Starts refbroker with the control channel on stdin; throws when it cannot be built or does not start. */
export async function startRefbroker(options: RefbrokerOptions = {}): Promise<Refbroker> {
  const found = ensureRefbroker()
  if ('unavailable' in found) throw new Error(found.unavailable)
  const args = ['-C', '-n', String(options.brokers ?? 1)]
  if (options.port !== undefined) args.push('-p', String(options.port))
  for (const topic of options.topics ?? []) {
    args.push('-t', [topic.name, topic.partitions, topic.replicationFactor].filter((part) => part !== undefined).join(':'))
  }
  if (options.debug) args.push('-d', options.debug)
  const child = spawn(found.path, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const refbroker = await attach(child, options)
  if (options.clientWorkarounds) {
    try {
      await refbroker.command('apiversion 2 0 3')
      await refbroker.command('apiversion 22 0 2')
    } catch (error) {
      await refbroker.close()
      throw error
    }
  }
  return refbroker
}

/** stdout lines of the child, queued until asked for; `undefined` once stdout closed. */
function lineReader(child: ChildProcessWithoutNullStreams, timeoutMs: number, stderrTail: () => string): (what: string) => Promise<string | undefined> {
  const waiting: ((line: string | undefined) => void)[] = []
  const buffered: string[] = []
  let closed = false
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => { const next = waiting.shift(); if (next) next(line); else buffered.push(line) })
  lines.on('close', () => { closed = true; for (const next of waiting.splice(0)) next(undefined) })
  return (what) => new Promise<string | undefined>((resolveLine, rejectLine) => {
    const line = buffered.shift()
    if (line !== undefined || closed) return resolveLine(line)
    const timer = setTimeout(() => {
      waiting.splice(waiting.indexOf(waiter), 1)
      rejectLine(new Error(`refbroker did not answer ${what} within ${timeoutMs} ms: ${stderrTail().slice(-2000)}`))
    }, timeoutMs)
    const waiter = (value: string | undefined) => { clearTimeout(timer); resolveLine(value) }
    waiting.push(waiter)
  })
}

async function attach(child: ChildProcessWithoutNullStreams, options: RefbrokerOptions): Promise<Refbroker> {
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrTailMaxBytes)
    if (options.echoStderr) process.stderr.write(chunk)
  })
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  const nextLine = lineReader(child, options.replyTimeoutMs ?? 20_000, () => stderr)
  let bootstrap: string | undefined
  let ready: string | undefined
  try {
    bootstrap = await nextLine('with its bootstrap servers')
    ready = await nextLine('READY')
  } finally {
    if (bootstrap === undefined || ready !== 'READY') child.kill('SIGTERM')
  }
  if (bootstrap === undefined || ready !== 'READY') {
    throw new Error(`refbroker did not start: ${stderr.trim() || `stdout ${bootstrap} / ${ready}`}`)
  }
  const brokers = bootstrap.split(',').map((address, index) => {
    const [host, port] = address.split(':')
    return { nodeId: index + 1, host, port: Number(port) }
  })
  let queue = Promise.resolve()
  const command = (line: string) => {
    const reply = queue.then(async () => {
      child.stdin.write(`${line}\n`)
      const answer = await nextLine(`'${line}'`)
      if (answer === undefined) throw new Error(`refbroker exited during '${line}': ${stderr.slice(-2000)}`)
      if (!answer.startsWith('OK')) throw new Error(`refbroker '${line}': ${answer}`)
      return answer
    })
    queue = reply.then(() => undefined, () => undefined)
    return reply
  }
  return {
    pid: child.pid!,
    bootstrap,
    brokers,
    command,
    async createTopic(name, partitions, replicationFactor) {
      await command(`topic ${name} ${partitions}${replicationFactor === undefined ? '' : ` ${replicationFactor}`}`)
    },
    async watermarks(topic) {
      const reply = await command(`watermarks ${topic}`)
      return [...reply.matchAll(/p(\d+)=(-?\d+):(-?\d+)/g)].map((m) => ({ partition: Number(m[1]), low: BigInt(m[2]), high: BigInt(m[3]) }))
    },
    stderrTail: () => stderr,
    async close(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin.end()
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}

// refbroker: librdkafka's mock cluster (../shared/tools/refbroker), the "somebody else's broker"
// the compat suites and the fixture recorder run against. This module owns the path convention
// of its build cache (kept in sync with .ci/setup-machine.sh) and a small process wrapper.
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

/** Where the build lives: outside the repository, keyed by a hash of refbroker.c. */
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
export function ensureRefbroker(): { path: string } | { unavailable: string } {
  const path = refbrokerBinaryPath()
  if (existsSync(path)) return { path }
  const sourceDir = refbrokerSourceDir()
  if (!existsSync(join(sourceDir, 'build.sh'))) return { unavailable: `refbroker sources not found in ${sourceDir}` }
  mkdirSync(join(path, '..'), { recursive: true })
  const build = spawnSync('bash', [join(sourceDir, 'build.sh')], { env: { ...process.env, OUT: `${path}.partial` }, encoding: 'utf8' })
  if (build.status !== 0) return { unavailable: `refbroker build failed (run .ci/setup-machine.sh): ${build.stderr.trim()}` }
  renameSync(`${path}.partial`, path)
  return { path }
}

export type RefbrokerOptions = {
  /** Number of brokers, ids 1..N (default 1). */
  brokers?: number
  /** Fixed port of broker 1 (broker i listens on port+i-1); ephemeral when omitted. */
  port?: number
  /** Topics created before READY. */
  topics?: { name: string; partitions: number }[]
  /** `-d` debug contexts (librdkafka logging to stderr), e.g. 'mock,protocol'. */
  debug?: string
}

export type Refbroker = {
  /** "127.0.0.1:P1,127.0.0.1:P2" as printed by refbroker. */
  bootstrap: string
  brokers: { nodeId: number; host: string; port: number }[]
  /** Sends one control command and returns its reply line; rejects on `ERR ...`. */
  command(line: string): Promise<string>
  createTopic(name: string, partitions: number): Promise<void>
  /** Low/high watermark per partition, from the control channel. */
  watermarks(topic: string): Promise<{ partition: number; low: bigint; high: bigint }[]>
  /** Last stderr output (for failure messages). */
  stderrTail(): string
  close(): Promise<void>
}

const stderrTailMaxBytes = 64 * 1024

export async function startRefbroker(options: RefbrokerOptions = {}): Promise<Refbroker> {
  const found = ensureRefbroker()
  if ('unavailable' in found) throw new Error(found.unavailable)
  const args = ['-C', '-n', String(options.brokers ?? 1)]
  if (options.port !== undefined) args.push('-p', String(options.port))
  for (const topic of options.topics ?? []) args.push('-t', `${topic.name}:${topic.partitions}`)
  if (options.debug) args.push('-d', options.debug)
  const child = spawn(found.path, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  return await attach(child)
}

async function attach(child: ChildProcessWithoutNullStreams): Promise<Refbroker> {
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-stderrTailMaxBytes) })
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  const waiting: ((line: string | undefined) => void)[] = []
  const buffered: string[] = []
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => { const next = waiting.shift(); if (next) next(line); else buffered.push(line) })
  lines.on('close', () => { for (const next of waiting.splice(0)) next(undefined) })
  const nextLine = () => new Promise<string | undefined>((resolveLine) => {
    const line = buffered.shift()
    if (line !== undefined) resolveLine(line); else waiting.push(resolveLine)
  })
  const bootstrap = await nextLine()
  const ready = await nextLine()
  if (bootstrap === undefined || ready !== 'READY') {
    child.kill('SIGTERM')
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
      const answer = await nextLine()
      if (answer === undefined) throw new Error(`refbroker exited during '${line}': ${stderr.slice(-2000)}`)
      if (!answer.startsWith('OK')) throw new Error(`refbroker '${line}': ${answer}`)
      return answer
    })
    queue = reply.then(() => undefined, () => undefined)
    return reply
  }
  return {
    bootstrap,
    brokers,
    command,
    async createTopic(name, partitions) { await command(`topic ${name} ${partitions}`) },
    async watermarks(topic) {
      const reply = await command(`watermarks ${topic}`)
      return [...reply.matchAll(/p(\d+)=(-?\d+):(-?\d+)/g)].map((m) => ({ partition: Number(m[1]), low: BigInt(m[2]), high: BigInt(m[3]) }))
    },
    stderrTail: () => stderr,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin.end()
      child.kill('SIGTERM')
      await exited
    },
  }
}

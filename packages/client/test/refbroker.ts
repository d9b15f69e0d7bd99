// Starts ../shared/tools/refbroker (librdkafka's mock cluster) for the client suite, building it
// into a temp directory on first use. Applies the two workarounds its README lists for
// @platformatic/kafka: ListOffsets capped at v3 (v4/v5 responses are malformed) and
// InitProducerId capped at v2 (v3+ with producerId 0 is refused).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import type { BrokerTarget } from './targets.ts'

const source = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'tools', 'refbroker')
const binary = join(tmpdir(), 'refbroker-client', 'refbroker')

function build(): string | undefined {
  if (existsSync(binary)) return undefined
  if (!existsSync(join(source, 'build.sh'))) return `refbroker sources not found at ${source}`
  mkdirSync(join(tmpdir(), 'refbroker-client'), { recursive: true })
  const result = spawnSync('bash', [join(source, 'build.sh')], { env: { ...process.env, OUT: binary }, encoding: 'utf8' })
  if (result.status !== 0) {
    const detail = result.error?.message ?? `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-2).join(' ')
    return `refbroker could not be built (needs bash, gcc and librdkafka-dev): ${detail}`
  }
  return undefined
}

class LineChannel {
  readonly #lines: string[] = []
  readonly #waiters: ((line: string) => void)[] = []

  constructor(input: Interface) {
    input.on('line', (line) => {
      const waiter = this.#waiters.shift()
      if (waiter) waiter(line)
      else this.#lines.push(line)
    })
  }

  next(timeoutMs = 10_000): Promise<string> {
    const line = this.#lines.shift()
    if (line !== undefined) return Promise.resolve(line)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('refbroker did not answer')), timeoutMs)
      this.#waiters.push((value) => {
        clearTimeout(timer)
        resolve(value)
      })
    })
  }
}

export async function startRefbroker(options: { brokers: number }): Promise<BrokerTarget | { skip: string }> {
  const problem = build()
  if (problem !== undefined) return { skip: problem }
  const child: ChildProcessWithoutNullStreams = spawn(binary, ['-n', String(options.brokers), '-C'], { stdio: ['pipe', 'pipe', 'pipe'] })
  child.stderr.resume()
  const lines = new LineChannel(createInterface({ input: child.stdout }))
  const bootstrapServers = await lines.next()
  if ((await lines.next()) !== 'READY') throw new Error('refbroker did not become ready')
  let queue = Promise.resolve('')
  const command = (line: string): Promise<string> => {
    queue = queue.then(async () => {
      child.stdin.write(`${line}\n`)
      const reply = await lines.next()
      if (!reply.startsWith('OK')) throw new Error(`refbroker '${line}': ${reply}`)
      return reply
    })
    return queue
  }
  await command('apiversion 2 0 3')
  await command('apiversion 22 0 2')
  return {
    name: 'refbroker',
    bootstrapServers,
    sessionTimeoutMs: 6_000,
    enforcesTransactions: false,
    createTopic: async (topic, partitions) => {
      await command(`topic ${topic} ${partitions} 1`)
    },
    injectErrors: async (apiKey, codes) => {
      await command(`errors ${apiKey} ${codes.join(' ')}`)
    },
    setBrokerReachable: async (nodeId, reachable) => {
      await command(`${reachable ? 'up' : 'down'} ${nodeId}`)
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.end()
      await exited
    },
  }
}

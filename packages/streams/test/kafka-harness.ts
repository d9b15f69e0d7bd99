// Brokers for the Kafka runtime tests: our embedded broker when it serves consumer groups,
// else librdkafka's mock cluster (refbroker, built by the client suite's helper), whose limits
// are: no CreateTopics (topics are created through its control channel), transactions only
// protocol-deep (no markers, TxnOffsetCommit discarded).
import { createAdmin, createConsumer, createProducer, type ConsumerRecord, type ProducerRecord } from '@tributary/client'
import { spawn, type ChildProcess } from 'node:child_process'
import { after, before, type TestContext } from 'node:test'
import { startTestBroker } from '@tributary/testing'
import { startRefbroker } from '../../client/test/refbroker.ts'

export interface KafkaTarget {
  readonly name: string
  readonly bootstrapServers: string
  /** True when the runtime can create internal topics itself (CreateTopics is served). */
  readonly createsTopics: boolean
  readonly enforcesTransactions: boolean
  createTopic(topic: string, partitions: number): Promise<void>
  close(): Promise<void>
}

export async function startKafkaTarget(): Promise<KafkaTarget | { skip: string }> {
  const embedded = await startTestBroker()
  const admin = createAdmin({ bootstrapServers: embedded.bootstrapServers })
  let groups = true
  try {
    await admin.listGroups()
  } catch {
    groups = false
  } finally {
    await admin.close()
  }
  if (groups) {
    return {
      name: 'embedded broker',
      bootstrapServers: embedded.bootstrapServers,
      createsTopics: true,
      enforcesTransactions: true,
      async createTopic(topic, partitions) {
        const client = createAdmin({ bootstrapServers: embedded.bootstrapServers })
        try {
          await client.createTopics([{ topic, partitions }])
        } finally {
          await client.close()
        }
      },
      close: () => embedded.close(),
    }
  }
  await embedded.close()
  const reference = await startRefbroker({ brokers: 1 })
  if ('skip' in reference) return { skip: `embedded broker has no group APIs yet and ${reference.skip}` }
  return {
    name: 'refbroker (embedded broker has no group APIs yet)',
    bootstrapServers: reference.bootstrapServers,
    createsTopics: false,
    enforcesTransactions: false,
    createTopic: (topic, partitions) => reference.createTopic(topic, partitions),
    close: () => reference.stop(),
  }
}

/**
 * Starts the Kafka target before the enclosing suite's tests (or the file's, at top level) and
 * closes it after them. The returned function hands the target to a test, or skips the test with
 * the target's reason and returns undefined.
 */
export function useKafkaTarget(): (context: TestContext) => KafkaTarget | undefined {
  let target: KafkaTarget | { skip: string } | undefined
  before(async () => {
    target = await startKafkaTarget()
  })
  after(async () => {
    if (target !== undefined && !('skip' in target)) await target.close()
  })
  return (context) => {
    if (target === undefined) throw new Error('useKafkaTarget: no target yet (call it in a suite body, not inside a test)')
    if (!('skip' in target)) return target
    context.skip(target.skip)
    return undefined
  }
}

export async function produce(bootstrapServers: string, records: readonly ProducerRecord[]): Promise<void> {
  const producer = createProducer({ bootstrapServers, idempotent: true })
  try {
    await producer.send(records)
  } finally {
    await producer.close()
  }
}

/** Reads `topic` from the beginning until `until(records)` holds or timeoutMs passes. */
export async function consumeUntil(bootstrapServers: string, topic: string, partitions: number, until: (records: ConsumerRecord[]) => boolean, options: { timeoutMs?: number; readCommitted?: boolean } = {}): Promise<ConsumerRecord[]> {
  const consumer = createConsumer({ bootstrapServers, autoOffsetReset: 'earliest', isolationLevel: options.readCommitted === true ? 'read_committed' : 'read_uncommitted' })
  const records: ConsumerRecord[] = []
  const deadline = Date.now() + (options.timeoutMs ?? 20_000)
  try {
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })))
    while (!until(records) && Date.now() < deadline) records.push(...(await consumer.poll({ timeoutMs: 200 })))
    return records
  } finally {
    await consumer.close()
  }
}

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A TCP port free right now on 127.0.0.1 (for applicationServer). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface Worker {
  readonly child: ChildProcess
  /** Resolves when the worker printed RUNNING; rejects, with the end of its stderr, if it exited first. */
  readonly running: Promise<void>
}

/**
 * A KafkaStreams instance in its own process (so a test can kill it with SIGKILL). Its stderr is
 * kept (the last 8 KiB) to explain an exit before RUNNING, and echoed with DEBUG_KS=1.
 */
export function spawnWorker(script: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    if (process.env.DEBUG_KS) process.stderr.write(chunk)
    stderr = (stderr + chunk.toString()).slice(-8_192)
  })
  const running = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('RUNNING')) resolve()
    })
    child.once('exit', (code, signal) => reject(new Error(`worker ${child.pid} exited (${signal ?? `code ${code}`}) before RUNNING; its stderr ends with:\n${stderr}`)))
  })
  // A worker killed by the test after RUNNING settles nothing; one killed before would reject unobserved.
  running.catch(() => undefined)
  return { child, running }
}

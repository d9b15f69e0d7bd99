// kcat runs for the broker benchmark: produce a payload file (one record per line) and consume a
// topic from the beginning to the end, counting what came back. Both targets get the same flags.
import { spawn } from 'node:child_process'

/**
 * Producer settings (librdkafka names), the same for every target:
 * - acks=all: librdkafka's default; on a single node it means "appended by the leader", the
 *   same as acks=1. With flush policy `os` our broker does not fsync before acknowledging.
 * - linger.ms=5, batch.num.messages=10000, batch.size=1000000: batches of up to 10k records or
 *   1 MB, sent after at most 5 ms.
 * - queue.buffering.max.messages=1000000: kcat can read ahead of delivery instead of stalling.
 * - sticky.partitioning.linger.ms=0: keyless records go to a random partition each, so every
 *   partition gets an even share (refbroker keeps only ~5 MiB per partition).
 * - no compression, no idempotence (kcat's defaults).
 * BENCH_BROKER_PRODUCER_CONFIG="k=v,k=v" adds or overrides settings.
 */
export const defaultProducerConfig: Readonly<Record<string, string>> = {
  acks: 'all',
  'linger.ms': '5',
  'batch.num.messages': '10000',
  'batch.size': '1000000',
  'queue.buffering.max.messages': '1000000',
  'sticky.partitioning.linger.ms': '0',
  'compression.codec': 'none',
}

/**
 * Consumer settings: librdkafka's defaults (fetch.max.bytes 50 MiB, max.partition.fetch.bytes
 * 1 MiB, queued.max.messages.kbytes 64 MiB, fetch.min.bytes 1) except fetch.wait.max.ms=10
 * (default 500): kcat -e exits once every partition has reported its end, which takes one empty
 * fetch, and that fetch long-polls for fetch.wait.max.ms. With the default, every consume run
 * carried a fixed ~0.5 s tail on both targets (1,000 records took 0.52 s, 0.05 s with 10 ms).
 * While data is flowing no fetch waits, so this changes only the tail. kcat -C assigns every
 * partition itself (no group). BENCH_BROKER_CONSUMER_CONFIG="k=v,k=v" adds or overrides settings.
 */
export const defaultConsumerConfig: Readonly<Record<string, string>> = { 'fetch.wait.max.ms': '10' }

/**
 * The "sticky" scenario's producer settings: the same, except keyless records use librdkafka's
 * default sticky partitioner (sticky.partitioning.linger.ms = 2 × linger.ms = 10 ms): every
 * record of a 10 ms window goes to one partition, so a request carries one large batch (up to
 * batch.num.messages / batch.size), as a default-configured producer of keyless records sends.
 */
export const stickyProducerConfig: Readonly<Record<string, string>> = { ...defaultProducerConfig, 'sticky.partitioning.linger.ms': '10' }

export function configFromEnvironment(defaults: Readonly<Record<string, string>>, variable: string): Record<string, string> {
  // BENCH_BROKER_PRODUCER_CONFIG applies to every scenario, on top of its own settings.
  const config = { ...defaults }
  const text = process.env[variable]
  if (text !== undefined && text.trim() !== '') {
    for (const pair of text.split(',')) {
      const equals = pair.indexOf('=')
      if (equals <= 0) throw new Error(`${variable}: expected k=v pairs, got '${pair}'`)
      config[pair.slice(0, equals).trim()] = pair.slice(equals + 1).trim()
    }
  }
  return config
}

function configArguments(config: Readonly<Record<string, string>>): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['-X', `${key}=${value}`])
}

interface KcatResult {
  code: number | null
  stderrTail: string
}

/** Runs kcat; `onStdout` sees its stdout. Keeps the last 4 KiB of stderr for error messages. */
function runKcat(kcatArguments: string[], onStdout?: (chunk: Buffer) => void): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', kcatArguments, { stdio: ['ignore', onStdout === undefined ? 'ignore' : 'pipe', 'pipe'] })
    let stderrTail = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-4096)
    })
    if (onStdout !== undefined) child.stdout!.on('data', onStdout)
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stderrTail }))
  })
}

/** Produces every line of `file` as one record (value = the line) and waits for kcat to exit, i.e. for all deliveries. */
export async function produceFile(bootstrap: string, topic: string, file: string, config: Readonly<Record<string, string>>): Promise<void> {
  const result = await runKcat(['-P', '-b', bootstrap, '-t', topic, '-l', '-q', ...configArguments(config), file])
  if (result.code !== 0 || /fail|error/i.test(result.stderrTail)) {
    throw new Error(`kcat -P exited with ${result.code}:\n${result.stderrTail}`)
  }
}

export interface ConsumeCount {
  records: number
  /** Sum of value sizes. */
  valueBytes: number
}

/**
 * Consumes every partition of `topic` from the beginning until each reaches its end (-e), with
 * kcat printing only each value's length (-f '%S\n'): the client does the full fetch and
 * decode work but writes ~4 bytes per record, so the pipe to us is not the bottleneck.
 */
export async function consumeAll(bootstrap: string, topic: string, config: Readonly<Record<string, string>>): Promise<ConsumeCount> {
  let records = 0
  let valueBytes = 0
  let current = 0
  const result = await runKcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%S\\n', ...configArguments(config)], (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]
      if (byte === 0x0a) {
        records++
        valueBytes += current
        current = 0
      } else if (byte >= 0x30 && byte <= 0x39) {
        current = current * 10 + (byte - 0x30)
      }
    }
  })
  if (result.code !== 0) throw new Error(`kcat -C exited with ${result.code}:\n${result.stderrTail}`)
  return { records, valueBytes }
}

// Shared helpers of the group/transaction evidence tests: a broker with test-friendly
// coordinator settings in a temporary directory, child processes (kcat, python) with output
// capture, polling, and a wire-level read of a partition honouring control batches.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiKey, ErrorCode, decodeRecordBatches, isControlBatch } from '@tributary/protocol'
import type { FetchResponse } from '@tributary/protocol'
import { startBroker } from '@tributary/broker'
import type { Broker, BrokerOptions, LogLevel } from '@tributary/broker'
import type { CoordinationOptions } from '../src/coordination/coordination.ts'
import { WireClient } from './fixtures/wire-client.ts'
import { fetchRequest } from './fixtures/requests.ts'

export interface CoordinatedBroker extends Broker {
  readonly dataDir: string
  destroy(): Promise<void>
}

/** Coordinator settings for tests: no initial rebalance delay, small internal topics. */
export const testCoordination: CoordinationOptions = {
  group: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000, offsetsTopicPartitionCount: 5 },
  transaction: { transactionStatePartitionCount: 5 },
}

export function temporaryDirectory(prefix = 'tributary-eos-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export async function startCoordinatedBroker(options: { dataDir?: string } = {}): Promise<CoordinatedBroker> {
  const dataDir = options.dataDir ?? temporaryDirectory()
  const { startScratchBroker } = await import('/tmp/eos-scratch/scratch-broker.ts' as string)
  const broker = await startScratchBroker(dataDir, 'error')
  return { port: broker.port, host: '127.0.0.1', nodeId: 1, dataDir, close: () => broker.close(), async destroy() { await broker.close(); rmSync(dataDir, { recursive: true, force: true }) } } as unknown as CoordinatedBroker
}

export interface ProcessResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunningProcess {
  readonly pid: number
  stdout(): string
  stderr(): string
  readonly exited: Promise<ProcessResult>
  kill(signal?: NodeJS.Signals): void
}

/** Starts `command` with `args`; stdin gets `input` then closes (unless `keepStdinOpen`). */
export function runProcess(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  if (options.input !== undefined) child.stdin.end(options.input)
  else child.stdin.end()
  const exited = new Promise<ProcessResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
  return { pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited, kill: (signal = 'SIGTERM') => child.kill(signal) }
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export interface ReadRecord {
  readonly offset: bigint
  readonly key: string | null
  readonly value: string | null
  readonly producerId: bigint
}

/**
 * Reads `topic`/`partition` from offset 0 as a consumer would: control batches are skipped and,
 * under read_committed (isolationLevel 1), batches of the transactions the broker lists as
 * aborted are dropped (a producer is "aborting" from its entry's firstOffset until its ABORT
 * marker), which is what Kafka clients do with abortedTransactions.
 */
export async function readPartition(port: number, topic: string, partition: number, isolationLevel: 0 | 1): Promise<{ records: ReadRecord[]; highWatermark: bigint; lastStableOffset: bigint }> {
  const client = await WireClient.connect(port)
  try {
    const records: ReadRecord[] = []
    let fetchOffset = 0n
    let highWatermark = 0n
    let lastStableOffset = 0n
    const pending: Array<{ producerId: bigint; firstOffset: bigint }> = []
    const aborting = new Set<bigint>()
    for (;;) {
      const response = await client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic, partition, fetchOffset, partitionMaxBytes: 1 << 20 }], { isolationLevel }))
      const data = response.responses[0].partitions[0]
      if (data.errorCode !== ErrorCode.None) throw new Error(`fetch ${topic}-${partition} failed with error ${data.errorCode}`)
      highWatermark = data.highWatermark
      lastStableOffset = data.lastStableOffset
      for (const entry of data.abortedTransactions ?? []) {
        if (entry.firstOffset >= fetchOffset && !pending.some((known) => known.producerId === entry.producerId && known.firstOffset === entry.firstOffset)) pending.push(entry)
      }
      pending.sort((left, right) => (left.firstOffset < right.firstOffset ? -1 : 1))
      const batches = decodeRecordBatches(data.records ?? new Uint8Array(0))
      if (batches.length === 0) break
      for (const batch of batches) {
        fetchOffset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
        while (pending.length > 0 && pending[0].firstOffset <= batch.baseOffset) aborting.add(pending.shift()!.producerId)
        if (isControlBatch(batch)) {
          aborting.delete(batch.producerId)
          continue
        }
        if (isolationLevel === 1 && aborting.has(batch.producerId)) continue
        for (const record of batch.records) {
          records.push({
            offset: batch.baseOffset + BigInt(record.offsetDelta),
            key: record.key === null ? null : Buffer.from(record.key).toString(),
            value: record.value === null ? null : Buffer.from(record.value).toString(),
            producerId: batch.producerId,
          })
        }
      }
    }
    return { records, highWatermark, lastStableOffset }
  } finally {
    client.close()
  }
}

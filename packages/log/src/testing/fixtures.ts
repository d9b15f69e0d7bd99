// Test helpers for the log package: record batches built with the protocol codec, temporary
// data directories, and a manual clock. Used only by *.test.ts and *.bench.ts files.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRecordBatch, decodeRecordBatches, encodeRecordBatch, recordOffset, recordTimestamp } from '@tributary/protocol'
import type { Clock, CompressionType } from '@tributary/protocol'

export interface TestBatchOptions {
  /** Records in the batch (default 1). */
  count?: number
  /** Bytes per record value (default 100). */
  valueBytes?: number
  /** Timestamp of every record, or one per record. */
  timestamp?: number
  timestamps?: number[]
  compression?: CompressionType
  /** Byte filled into values (default 0x61). */
  fill?: number
}

/** One encoded record batch v2, as a producer would send it (baseOffset 0). */
export function makeBatch(options: TestBatchOptions = {}): Uint8Array {
  const count = options.timestamps?.length ?? options.count ?? 1
  const records = Array.from({ length: count }, (_, i) => ({
    key: new TextEncoder().encode(`key-${i}`),
    value: new Uint8Array(options.valueBytes ?? 100).fill(options.fill ?? 0x61),
    timestamp: options.timestamps?.[i] ?? options.timestamp ?? 1_000,
  }))
  return encodeRecordBatch(createRecordBatch({ records, compression: options.compression }))
}

/** Offsets and timestamps of every record in `bytes` (whole batches). */
export function recordsOf(bytes: Uint8Array): Array<{ offset: bigint; timestampMs: number; value: Uint8Array | null }> {
  return decodeRecordBatches(bytes).flatMap((batch) =>
    batch.records.map((record) => ({ offset: recordOffset(batch, record), timestampMs: recordTimestamp(batch, record), value: record.value })),
  )
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let position = 0
  for (const part of parts) {
    out.set(part, position)
    position += part.length
  }
  return out
}

/** A fresh temporary directory and its cleanup. */
export function temporaryDirectory(prefix = 'tributary-log-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Wall-clock time and real timers (benchmarks). */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
  setTimer: (delayMs, callback) => {
    const timer = setTimeout(callback, delayMs)
    return () => clearTimeout(timer)
  },
}

/** A clock that moves only when told; timers fire during `advance`. */
export class ManualClock implements Clock {
  #nowMs: number
  #timers: Array<{ atMs: number; callback: () => void; cancelled: boolean }> = []

  constructor(nowMs = 1_000_000) {
    this.#nowMs = nowMs
  }

  nowMs(): number {
    return this.#nowMs
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve))
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer = { atMs: this.#nowMs + delayMs, callback, cancelled: false }
    this.#timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  advance(deltaMs: number): void {
    const target = this.#nowMs + deltaMs
    for (;;) {
      const due = this.#timers.filter((timer) => !timer.cancelled && timer.atMs <= target).sort((a, b) => a.atMs - b.atMs)[0]
      if (due === undefined) break
      this.#nowMs = due.atMs
      due.cancelled = true
      due.callback()
    }
    this.#timers = this.#timers.filter((timer) => !timer.cancelled)
    this.#nowMs = target
  }

  get pendingTimers(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length
  }
}

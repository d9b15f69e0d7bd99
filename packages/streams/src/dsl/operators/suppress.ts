// KTable#suppress, following Kafka's KTableSuppressProcessor: updates are buffered per key
// (the latest replaces the earlier one) and emitted, with their own timestamps, once their
// buffer time is at or before `streamTime - suppressDuration`. For untilWindowCloses the buffer
// time is the window end and the duration the grace period, so each window's final result is
// emitted once and tombstones are dropped; for untilTimeLimit the buffer time is the time of the
// key's first buffered update (a later update keeps its place). When the buffer holds more than
// maxRecords, it emits the oldest early or fails, as configured. Stream time here is the largest
// timestamp this processor saw.
import type { ProcessorContext, ProcessorSupplier } from '../../runtime/processor.ts'
import type { Change, StreamRecord } from '../../runtime/record.ts'
import type { Windowed } from '../../state/windowed.ts'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'
import type { Suppressed } from '../suppressed.ts'

interface Buffered<K, V> {
  bufferTimeMs: number
  sequence: number
  record: StreamRecord<K, Change<V>>
}

export function suppressSupplier<K, V>(suppressed: Suppressed, windowGraceMs: number | null, keyId: (key: K) => unknown): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const finalResults = suppressed.kind === 'untilWindowCloses'
  if (finalResults && windowGraceMs === null) throw new StreamsError(StreamsErrorCode.Topology, 'suppress(untilWindowCloses) needs a windowed KTable')
  const suppressDurationMs = finalResults ? windowGraceMs! : suppressed.timeLimitMs
  return () => {
    let context: ProcessorContext<any, any>
    let observedStreamTimeMs = -1
    let sequence = 0
    const buffer = new Map<unknown, Buffered<K, V>>()

    const emit = (entry: Buffered<K, V>): void => {
      buffer.delete(keyId(entry.record.key))
      if (entry.record.value.newValue !== null || !finalResults) context.forward(entry.record)
    }
    const oldest = (): Buffered<K, V> | undefined => {
      let found: Buffered<K, V> | undefined
      for (const entry of buffer.values()) if (found === undefined || entry.bufferTimeMs < found.bufferTimeMs || (entry.bufferTimeMs === found.bufferTimeMs && entry.sequence < found.sequence)) found = entry
      return found
    }

    return {
      init: (processorContext) => void (context = processorContext),
      process(record) {
        observedStreamTimeMs = Math.max(observedStreamTimeMs, record.timestamp)
        const id = keyId(record.key)
        const existing = buffer.get(id)
        const bufferTimeMs = finalResults ? (record.key as unknown as Windowed<unknown>).window.endMs : existing?.bufferTimeMs ?? record.timestamp
        const priorValue = existing === undefined ? record.value.oldValue : existing.record.value.oldValue
        buffer.set(id, { bufferTimeMs, sequence: existing?.sequence ?? sequence++, record: record.withValue({ newValue: record.value.newValue, oldValue: priorValue }) })
        const expiryTimeMs = observedStreamTimeMs - suppressDurationMs
        for (let entry = oldest(); entry !== undefined && entry.bufferTimeMs <= expiryTimeMs; entry = oldest()) emit(entry)
        if (buffer.size > suppressed.buffer.maxRecords) {
          if (suppressed.buffer.whenFull === 'shutDown') throw new StreamsError(StreamsErrorCode.BufferFull, `suppression buffer is full (${suppressed.buffer.maxRecords} records)`)
          while (buffer.size > suppressed.buffer.maxRecords) emit(oldest()!)
        }
      },
    }
  }
}

// Serdes for windowed keys, in Kafka's wire layout: a time-windowed key is the inner key bytes
// followed by the 8-byte window start (the end is start + window size); a session-windowed key
// is the inner key bytes followed by the 8-byte end and the 8-byte start.
import type { Serde } from './serde.ts'
import { Window, Windowed } from '../state/windowed.ts'

function concat(key: Uint8Array, longs: number[]): Uint8Array {
  const out = new Uint8Array(key.byteLength + 8 * longs.length)
  out.set(key, 0)
  const view = new DataView(out.buffer)
  longs.forEach((value, index) => view.setBigInt64(key.byteLength + 8 * index, BigInt(value)))
  return out
}

function readLong(data: Uint8Array, offset: number): number {
  return Number(new DataView(data.buffer, data.byteOffset, data.byteLength).getBigInt64(offset))
}

/** Time-windowed keys. `windowSizeMs` rebuilds the end on read (Kafka's TimeWindowedSerde). */
export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const key = inner.serialize(topic, data.key)
      if (key === null) throw new RangeError('windowed key serde: inner key serialized to null')
      return concat(key, [data.window.startMs])
    },
    deserialize(topic, data) {
      if (data === null) return null
      if (data.byteLength < 8) throw new RangeError('time-windowed key shorter than 8 bytes')
      const startMs = readLong(data, data.byteLength - 8)
      const key = inner.deserialize(topic, data.subarray(0, data.byteLength - 8)) as K
      return new Windowed(key, new Window(startMs, Math.min(startMs + windowSizeMs, Number.MAX_SAFE_INTEGER)))
    },
  }
}

/** Session-windowed keys (Kafka's SessionWindowedSerde). */
export function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const key = inner.serialize(topic, data.key)
      if (key === null) throw new RangeError('windowed key serde: inner key serialized to null')
      return concat(key, [data.window.endMs, data.window.startMs])
    },
    deserialize(topic, data) {
      if (data === null) return null
      if (data.byteLength < 16) throw new RangeError('session-windowed key shorter than 16 bytes')
      const endMs = readLong(data, data.byteLength - 16)
      const startMs = readLong(data, data.byteLength - 8)
      const key = inner.deserialize(topic, data.subarray(0, data.byteLength - 16)) as K
      return new Windowed(key, new Window(startMs, endMs))
    },
  }
}

/** Kafka's `WindowedSerdes` names. */
export const WindowedSerdes = {
  timeWindowedSerdeFrom: <K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> => timeWindowedSerde(inner, windowSizeMs),
  sessionWindowedSerdeFrom: <K>(inner: Serde<K>): Serde<Windowed<K>> => sessionWindowedSerde(inner),
} as const

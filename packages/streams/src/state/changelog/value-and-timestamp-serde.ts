// Values of timestamped stores (DSL aggregations hold ValueAndTimestamp) in Kafka's layout:
// [timestamp: int64 BE][value bytes]. Use it as the value serde of a persistent or changelogging
// timestamped store.
import type { Serde } from '../../serde/serde.ts'
import type { ValueAndTimestamp } from '../windowed.ts'

export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null
      const value = inner.serialize(topic, data.value) ?? new Uint8Array(0)
      const out = new Uint8Array(8 + value.byteLength)
      new DataView(out.buffer).setBigInt64(0, BigInt(data.timestamp))
      out.set(value, 8)
      return out
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null
      if (data.byteLength < 8) throw new RangeError(`timestamped value of ${data.byteLength} bytes is shorter than 8`)
      const timestamp = Number(new DataView(data.buffer, data.byteOffset, data.byteLength).getBigInt64(0))
      return { value: inner.deserialize(topic, data.subarray(8)) as V, timestamp }
    },
  }
}

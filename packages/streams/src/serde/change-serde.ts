// Wire form of a table change on a repartition topic (KTable#groupBy): a flag byte (1 = new
// value present, 2 = old value present), then each present value as a 4-byte length and bytes.
import type { Serde } from './serde.ts'
import type { Change } from '../runtime/record.ts'

export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const parts = [data.newValue, data.oldValue].map((value) => (value === null ? null : inner.serialize(topic, value) ?? new Uint8Array(0)))
      const size = 1 + parts.reduce((sum, part) => sum + (part === null ? 0 : 4 + part.byteLength), 0)
      const out = new Uint8Array(size)
      const view = new DataView(out.buffer)
      out[0] = (parts[0] !== null ? 1 : 0) | (parts[1] !== null ? 2 : 0)
      let offset = 1
      for (const part of parts) {
        if (part === null) continue
        view.setUint32(offset, part.byteLength)
        out.set(part, offset + 4)
        offset += 4 + part.byteLength
      }
      return out
    },
    deserialize(topic, data) {
      if (data === null) return null
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      let offset = 1
      const read = (present: boolean): V | null => {
        if (!present) return null
        const length = view.getUint32(offset)
        const bytes = data.subarray(offset + 4, offset + 4 + length)
        if (bytes.byteLength !== length) throw new RangeError('truncated change record')
        offset += 4 + length
        return inner.deserialize(topic, bytes)
      }
      const newValue = read((data[0] & 1) !== 0)
      const oldValue = read((data[0] & 2) !== 0)
      return { newValue, oldValue }
    },
  }
}

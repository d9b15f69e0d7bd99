// Serdes turn keys and values into bytes at sources and sinks, as Kafka Streams does. A serde
// maps null to null both ways, so tombstones survive a round trip.

/** A serializer/deserializer pair. `topic` is passed for serdes that vary by topic (schemas). */
export interface Serde<T> {
  serialize(topic: string, data: T | null): Uint8Array | null
  deserialize(topic: string, data: Uint8Array | null): T | null
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function nullSafe<T>(write: (data: T) => Uint8Array, read: (data: Uint8Array) => T): Serde<T> {
  return {
    serialize: (_topic, data) => (data === null || data === undefined ? null : write(data)),
    deserialize: (_topic, data) => (data === null || data === undefined ? null : read(data)),
  }
}

function fixedWidth(data: Uint8Array, width: number, name: string): DataView {
  if (data.byteLength !== width) throw new RangeError(`${name} serde expects ${width} bytes, got ${data.byteLength}`)
  return new DataView(data.buffer, data.byteOffset, data.byteLength)
}

// Keys are mostly short ASCII strings; copying code units directly skips the UTF-8 codec.
const asciiFastPathMaxLength = 64

function encodeString(data: string): Uint8Array {
  const length = data.length
  if (length <= asciiFastPathMaxLength) {
    const out = new Uint8Array(length)
    let index = 0
    for (; index < length; index++) {
      const code = data.charCodeAt(index)
      if (code >= 0x80) break
      out[index] = code
    }
    if (index === length) return out
  }
  return encoder.encode(data)
}

function decodeString(data: Uint8Array): string {
  const length = data.length
  if (length <= asciiFastPathMaxLength) {
    let text = ''
    let index = 0
    for (; index < length; index++) {
      const byte = data[index]
      if (byte >= 0x80) break
      text += String.fromCharCode(byte)
    }
    if (index === length) return text
  }
  return decoder.decode(data)
}

const stringSerde = nullSafe<string>(encodeString, decodeString)
const bytesSerde = nullSafe<Uint8Array>((data) => data, (data) => data)
const intSerde = nullSafe<number>((data) => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setInt32(0, data)
  return out
}, (data) => fixedWidth(data, 4, 'Int').getInt32(0))
/** Long is a signed 64-bit integer on the wire; in TypeScript a number (exact up to 2^53). */
const longSerde = nullSafe<number>((data) => {
  if (!Number.isSafeInteger(data)) throw new RangeError(`Long serde needs a safe integer, got ${data}`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt(data))
  return out
}, (data) => Number(fixedWidth(data, 8, 'Long').getBigInt64(0)))
const doubleSerde = nullSafe<number>((data) => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, data)
  return out
}, (data) => fixedWidth(data, 8, 'Double').getFloat64(0))
const voidSerde: Serde<null> = {
  serialize: () => null,
  deserialize: (_topic, data) => {
    if (data !== null && data !== undefined) throw new RangeError('Void serde expects null data')
    return null
  },
}

/** Ready-made serdes, named as in Kafka's `Serdes` class. */
export const Serdes = {
  /** UTF-8 strings. */
  String: (): Serde<string> => stringSerde,
  /** Raw bytes, passed through untouched. */
  Bytes: (): Serde<Uint8Array> => bytesSerde,
  /** 32-bit big-endian signed integers. */
  Int: (): Serde<number> => intSerde,
  /** 64-bit big-endian signed integers, read into a number. */
  Long: (): Serde<number> => longSerde,
  /** 64-bit big-endian IEEE-754 doubles. */
  Double: (): Serde<number> => doubleSerde,
  /** Always null: for keys or values that carry nothing. */
  Void: (): Serde<null> => voidSerde,
  /** UTF-8 JSON text. The type parameter is trusted: validate in a mapValues if the source is not. */
  Json: <T>(): Serde<T> => nullSafe<T>((data) => encoder.encode(JSON.stringify(data)), (data) => JSON.parse(decoder.decode(data)) as T),
} as const

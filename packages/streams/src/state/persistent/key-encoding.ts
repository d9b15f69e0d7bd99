// Byte layouts of the persistent stores. LMDB orders keys by memcmp, so every layout here is
// chosen so that byte order equals the order the store interfaces promise:
// - key-value: [0x01][serialized key] (the marker byte makes the empty key storable);
// - composite keys (window, session): the serialized key is escaped (0x00 → 0x00 0xFF) and
//   terminated by 0x00 0x00, so [key][suffix] sorts by key bytes first, then suffix, even when
//   one key is a prefix of another; a key's entries form one contiguous range;
// - numbers (segment ids, timestamps): 8 bytes big-endian two's complement with the sign bit
//   flipped, so negative numbers sort before positive ones.
import { StreamsError, StreamsErrorCode } from '../../errors.ts'

/** LMDB's compiled-in maximum key size. */
export const maxLmdbKeyBytes = 1978
const keyValueMarker = 0x01
const twoPow32 = 4294967296

export function encodeKeyValueKey(key: Uint8Array, storeName: string): Buffer {
  checkKeySize(key.length + 1, storeName)
  const out = Buffer.allocUnsafe(key.length + 1)
  out[0] = keyValueMarker
  out.set(key, 1)
  return out
}

export function decodeKeyValueKey(stored: Uint8Array): Uint8Array {
  return stored.subarray(1)
}

/** Length of `key` once escaped and terminated. */
export function escapedLength(key: Uint8Array): number {
  let length = key.length + 2
  for (let index = 0; index < key.length; index++) if (key[index] === 0) length++
  return length
}

/** Writes the escaped, terminated key at `offset`; returns the offset after it. */
export function writeEscapedKey(out: Uint8Array, offset: number, key: Uint8Array): number {
  for (let index = 0; index < key.length; index++) {
    const byte = key[index]
    out[offset++] = byte
    if (byte === 0) out[offset++] = 0xff
  }
  out[offset++] = 0
  out[offset++] = 0
  return offset
}

/** Reads an escaped key starting at `offset`; returns the key and the offset after its terminator. */
export function readEscapedKey(stored: Uint8Array, offset: number): { key: Uint8Array; next: number } {
  const bytes: number[] = []
  let index = offset
  for (;;) {
    const byte = stored[index]
    if (byte === undefined) throw new StreamsError(StreamsErrorCode.Deserialization, 'stored composite key has no terminator')
    if (byte !== 0) {
      bytes.push(byte)
      index++
      continue
    }
    if (stored[index + 1] === 0) return { key: Uint8Array.from(bytes), next: index + 2 }
    bytes.push(0)
    index += 2
  }
}

/** Writes a safe integer as 8 order-preserving bytes. */
export function writeOrderedLong(out: Uint8Array, offset: number, value: number): number {
  const high = Math.floor(value / twoPow32)
  const low = value - high * twoPow32
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  view.setUint32(offset, ((high | 0) ^ 0x80000000) >>> 0)
  view.setUint32(offset + 4, low >>> 0)
  return offset + 8
}

export function readOrderedLong(stored: Uint8Array, offset: number): number {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
  const high = (view.getUint32(offset) ^ 0x80000000) | 0
  return high * twoPow32 + view.getUint32(offset + 4)
}

export function writeUint32(out: Uint8Array, offset: number, value: number): number {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(offset, value >>> 0)
  return offset + 4
}

export function readUint32(stored: Uint8Array, offset: number): number {
  return new DataView(stored.buffer, stored.byteOffset, stored.byteLength).getUint32(offset)
}

export function checkKeySize(length: number, storeName: string): void {
  if (length > maxLmdbKeyBytes) {
    throw new StreamsError(StreamsErrorCode.InvalidArgument, `store '${storeName}': encoded key of ${length} bytes exceeds LMDB's limit of ${maxLmdbKeyBytes} bytes`)
  }
}

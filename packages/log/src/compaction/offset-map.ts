// The cleaner's offset map: for each key seen in the dirty section, the offset of its latest
// record. Bounded by entry count; keys up to KEY_INLINE_BYTES are stored exactly, longer ones by
// their SHA-256 digest (a collision would need a SHA-256 collision between two keys of one partition).
import { createHash } from 'node:crypto'

/** Keys this long or shorter are map keys as they are; longer ones are hashed. */
const KEY_INLINE_BYTES = 64

export class OffsetMap {
  readonly maxEntries: number
  readonly #offsets = new Map<string, bigint>()

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#offsets.size
  }

  /** Records `offset` as the latest for `key`; false (nothing recorded) when the key is new and the map is full. */
  put(key: Uint8Array, offset: bigint): boolean {
    const id = keyId(key)
    if (this.#offsets.size >= this.maxEntries && !this.#offsets.has(id)) return false
    this.#offsets.set(id, offset)
    return true
  }

  /** The latest offset recorded for `key`, undefined when the dirty section does not hold it. */
  latestOffset(key: Uint8Array): bigint | undefined {
    return this.#offsets.get(keyId(key))
  }
}

function keyId(key: Uint8Array): string {
  const bytes = Buffer.from(key.buffer, key.byteOffset, key.length)
  if (key.length <= KEY_INLINE_BYTES) return 'k' + bytes.toString('latin1')
  return 'h' + createHash('sha256').update(bytes).digest().toString('latin1')
}

// Time segments of the persistent window and session stores (as Kafka's segmented stores):
// every stored key starts with the 8-byte segment id `floor(time / segmentIntervalMs)` (time =
// window start, or session end), then the escaped record key, then the times. Expiry deletes
// whole segments with one range delete; a fetch scans one key range per live segment, and
// segments are few (retention / interval + 1).
import { checkKeySize, escapedLength, maxLmdbKeyBytes, writeEscapedKey, writeOrderedLong, writeUint32 } from './key-encoding.ts'
import type { WriteBufferedDatabase } from './write-buffer.ts'

/** Kafka's default: half the retention, at least one minute. */
export function defaultSegmentIntervalMs(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000)
}

export const maxTimeMs = Number.MAX_SAFE_INTEGER
export const minTimeMs = Number.MIN_SAFE_INTEGER

export class SegmentLayout {
  readonly segmentIntervalMs: number
  private readonly storeName: string

  constructor(storeName: string, segmentIntervalMs: number) {
    this.storeName = storeName
    this.segmentIntervalMs = segmentIntervalMs
  }

  segmentOf(timeMs: number): number {
    return Math.floor(timeMs / this.segmentIntervalMs)
  }

  /** [segment][escaped key][longs…][uint32 suffix?]. */
  key(timeMs: number, key: Uint8Array, longs: readonly number[], suffix?: number): Buffer {
    const length = 8 + escapedLength(key) + 8 * longs.length + (suffix === undefined ? 0 : 4)
    checkKeySize(length, this.storeName)
    const out = Buffer.allocUnsafe(length)
    let offset = writeOrderedLong(out, 0, this.segmentOf(timeMs))
    offset = writeEscapedKey(out, offset, key)
    for (const value of longs) offset = writeOrderedLong(out, offset, value)
    if (suffix !== undefined) writeUint32(out, offset, suffix)
    return out
  }

  /** Lowest and highest possible stored key of one record key in one segment. */
  keyBounds(segment: number, key: Uint8Array, lowLongs: readonly number[], highLongs: readonly number[], suffixes: boolean): [Buffer, Buffer] {
    const time = segment * this.segmentIntervalMs
    return [this.key(time, key, lowLongs, suffixes ? 0 : undefined), this.key(time, key, highLongs, suffixes ? 0xffffffff : undefined)]
  }

  /** Lowest and highest possible stored key of a whole segment. */
  segmentBounds(segment: number): [Buffer, Buffer] {
    const start = Buffer.alloc(8)
    writeOrderedLong(start, 0, segment)
    const end = Buffer.alloc(maxLmdbKeyBytes, 0xff)
    writeOrderedLong(end, 0, segment)
    return [start, end]
  }

  /** Deletes every segment below `segment`. */
  dropSegmentsBelow(database: WriteBufferedDatabase, segment: number): void {
    const [end] = this.segmentBounds(segment)
    database.deleteRange(Buffer.alloc(1, 0), end)
  }

  /** The largest time stored (from the highest segment), or -1 when empty. */
  latestTimeMs(database: WriteBufferedDatabase, timeOf: (storedKey: Buffer) => number): number {
    const [, end] = this.segmentBounds(this.segmentOf(maxTimeMs))
    const [start] = this.segmentBounds(this.segmentOf(minTimeMs))
    let latest = -1
    for (const last of database.range(start, end, true)) {
      const [segmentStart, segmentEnd] = this.segmentBounds(this.segmentOf(timeOf(last.key)))
      for (const entry of database.range(segmentStart, segmentEnd)) latest = Math.max(latest, timeOf(entry.key))
      break
    }
    return latest
  }
}

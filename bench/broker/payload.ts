// Payload files for kcat -P -l: `records` lines, each a value of exactly `valueBytes` printable
// bytes (a zero-padded record number, then text that varies per record) and a newline. Written
// once per (size, count) and reused while its size matches.
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'
const NUMBER_DIGITS = 10
const CHUNK_BYTES = 4 * 1024 * 1024

export function payloadPath(directory: string, valueBytes: number, records: number): string {
  return join(directory, `payload-${valueBytes}B-${records}.txt`)
}

/** Returns the path of the payload file, writing it first when it is missing or the wrong size. */
export function ensurePayloadFile(directory: string, valueBytes: number, records: number): string {
  if (valueBytes <= NUMBER_DIGITS) throw new Error(`valueBytes must exceed ${NUMBER_DIGITS}`)
  const path = payloadPath(directory, valueBytes, records)
  const lineBytes = valueBytes + 1
  if (existsSync(path) && statSync(path).size === lineBytes * records) return path
  mkdirSync(directory, { recursive: true })
  const linesPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / lineBytes))
  const chunk = Buffer.alloc(linesPerChunk * lineBytes)
  const fd = openSync(path, 'w')
  try {
    let state = 0x9e3779b9
    for (let first = 0; first < records; first += linesPerChunk) {
      const lines = Math.min(linesPerChunk, records - first)
      for (let line = 0; line < lines; line++) {
        const offset = line * lineBytes
        chunk.write(String(first + line).padStart(NUMBER_DIGITS, '0'), offset, 'latin1')
        for (let i = NUMBER_DIGITS; i < valueBytes; i++) {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0
          chunk[offset + i] = ALPHABET.charCodeAt(state >>> 26)
        }
        chunk[offset + valueBytes] = 0x0a
      }
      writeSync(fd, chunk, 0, lines * lineBytes)
    }
  } finally {
    closeSync(fd)
  }
  return path
}

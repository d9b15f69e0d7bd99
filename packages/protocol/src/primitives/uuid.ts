// UUIDs (topic ids, member ids) travel as 16 raw bytes and are exposed as the canonical
// lowercase string 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx': comparable with ===, printable, a Map key.

/** The all-zero UUID, Kafka's "no id" value and the default of every uuid field. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

const hexByte: string[] = []
for (let value = 0; value < 256; value++) hexByte.push(value.toString(16).padStart(2, '0'))

const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** Formats 16 bytes starting at `offset` as a canonical UUID string. The caller checks bounds. */
export function uuidToString(bytes: Uint8Array, offset: number): string {
  const h = hexByte
  const b = bytes
  const o = offset
  return h[b[o]] + h[b[o + 1]] + h[b[o + 2]] + h[b[o + 3]] + '-' + h[b[o + 4]] + h[b[o + 5]] + '-' +
    h[b[o + 6]] + h[b[o + 7]] + '-' + h[b[o + 8]] + h[b[o + 9]] + '-' + h[b[o + 10]] + h[b[o + 11]] +
    h[b[o + 12]] + h[b[o + 13]] + h[b[o + 14]] + h[b[o + 15]]
}

/** True when `value` is a UUID in canonical 8-4-4-4-12 hex form (either case). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && uuidPattern.test(value)
}

/** Writes the 16 bytes of a canonical UUID string into `target` at `offset`. The caller validates. */
export function uuidIntoBytes(value: string, target: Uint8Array, offset: number): void {
  let position = offset
  for (let index = 0; index < 36; index += 2) {
    if (index === 8 || index === 13 || index === 18 || index === 23) index++
    target[position++] = (hexDigit(value.charCodeAt(index)) << 4) | hexDigit(value.charCodeAt(index + 1))
  }
}

function hexDigit(charCode: number): number {
  if (charCode <= 57) return charCode - 48 // '0'..'9'
  return (charCode | 0x20) - 87 // 'a'..'f' or 'A'..'F'
}

// Brokers advertise their own host:port in Metadata and FindCoordinator responses; a client then
// connects there directly, bypassing a recording proxy. The proxy therefore patches the port of
// every advertised broker it fronts to its own listening port. Ports are fixed-width int32, so
// the patch changes no length. This walks only as far as the ports, by hand (not with our
// codecs: the recordings are the evidence the codecs are tested against).

const ApiKeyMetadata = 3
const ApiKeyFindCoordinator = 10

/**
 * Returns a copy of `response` (a frame without size prefix, starting at the response header)
 * with advertised ports rewritten through `portMap`, or the same buffer when nothing applies.
 */
export function rewriteAdvertisedPorts(
  response: Buffer, apiKey: number, apiVersion: number, flexible: boolean, portMap: ReadonlyMap<number, number>,
): Buffer {
  if (apiKey !== ApiKeyMetadata && apiKey !== ApiKeyFindCoordinator) return response
  const patched = Buffer.from(response)
  const cursor = new Cursor(patched, flexible)
  cursor.skip(4) // correlationId
  if (flexible) cursor.skipTaggedFields()
  const patchPort = () => {
    const port = patched.readInt32BE(cursor.offset)
    const mapped = portMap.get(port)
    if (mapped !== undefined) patched.writeInt32BE(mapped, cursor.offset)
    cursor.skip(4)
  }
  if (apiKey === ApiKeyMetadata) {
    if (apiVersion >= 3) cursor.skip(4) // throttleTimeMs
    const brokers = cursor.arrayLength()
    for (let i = 0; i < brokers; i++) {
      cursor.skip(4) // nodeId
      cursor.skipString() // host
      patchPort()
      if (apiVersion >= 1) cursor.skipString() // rack
      if (flexible) cursor.skipTaggedFields()
    }
    return patched
  }
  if (apiVersion >= 1) cursor.skip(4) // throttleTimeMs
  if (apiVersion <= 3) {
    cursor.skip(2) // errorCode
    if (apiVersion >= 1) cursor.skipString() // errorMessage
    cursor.skip(4) // nodeId
    cursor.skipString() // host
    patchPort()
    return patched
  }
  const coordinators = cursor.arrayLength()
  for (let i = 0; i < coordinators; i++) {
    cursor.skipString() // key
    cursor.skip(4) // nodeId
    cursor.skipString() // host
    patchPort()
    cursor.skip(2) // errorCode
    cursor.skipString() // errorMessage
    cursor.skipTaggedFields()
  }
  return patched
}

class Cursor {
  offset = 0
  readonly #buffer: Buffer
  readonly #flexible: boolean

  constructor(buffer: Buffer, flexible: boolean) {
    this.#buffer = buffer
    this.#flexible = flexible
  }

  skip(bytes: number): void {
    if (this.offset + bytes > this.#buffer.length) throw new RangeError('response truncated')
    this.offset += bytes
  }

  unsignedVarint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= this.#buffer.length) throw new RangeError('response truncated')
      const byte = this.#buffer[this.offset++]
      value |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value >>> 0
    }
    throw new RangeError('varint too long')
  }

  /** Skips a (compact) string or nullable string. */
  skipString(): void {
    if (this.#flexible) {
      const lengthPlusOne = this.unsignedVarint()
      if (lengthPlusOne > 0) this.skip(lengthPlusOne - 1)
      return
    }
    const length = this.#buffer.readInt16BE(this.offset)
    this.skip(2)
    if (length > 0) this.skip(length)
  }

  arrayLength(): number {
    if (this.#flexible) return Math.max(0, this.unsignedVarint() - 1)
    const length = this.#buffer.readInt32BE(this.offset)
    this.skip(4)
    return Math.max(0, length)
  }

  skipTaggedFields(): void {
    const count = this.unsignedVarint()
    for (let i = 0; i < count; i++) {
      this.unsignedVarint() // tag
      this.skip(this.unsignedVarint())
    }
  }
}

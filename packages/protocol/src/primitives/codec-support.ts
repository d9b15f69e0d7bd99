// Small helpers the generated codecs call. Kept out of the generated files so each of them stays
// straight-line field reads and writes, and so error messages are worded in one place.
import { ProtocolDecodeError, ProtocolEncodeError } from '../errors.ts'
import type { MessageCodec } from './message-codec.ts'
import { Reader } from './reader.ts'
import type { TaggedField } from './tagged-field.ts'
import { Writer } from './writer.ts'

/** The shared default of bytes fields. Zero-length, so nothing can be written into it. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0)

export function checkEncodeVersion(name: string, version: number, min: number, max: number): void {
  if (!(version >= min && version <= max && Number.isInteger(version))) {
    throw new ProtocolEncodeError(`${name} has no version ${version} (valid ${min}-${max})`)
  }
}

export function checkDecodeVersion(name: string, version: number, min: number, max: number, reader: Reader): void {
  if (!(version >= min && version <= max && Number.isInteger(version))) {
    throw new ProtocolDecodeError('unsupported version', reader.offset, { detail: `${name} has no version ${version} (valid ${min}-${max})` })
  }
}

/** A field the version lacks holds a value that would be lost: the spec says fail. */
export function absentFieldError(name: string, field: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${name}.${field} must keep its default at version ${version}, which lacks the field`)
}

/** A null in a field that is not nullable at this version. */
export function nullFieldError(name: string, field: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${name}.${field} is not nullable at version ${version}`)
}

/** Unknown tagged fields on a message written at a version without tagged fields. */
export function taggedFieldsError(name: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${name} has tagged fields but version ${version} is not flexible`)
}

/** True when `fields` is absent or empty. */
export function noTaggedFields(fields: readonly TaggedField[] | undefined): boolean {
  return fields === undefined || fields.length === 0
}

/**
 * Writes the raw tagged fields `fields[index..]` whose tag is below `tag` and returns the index
 * of the first one not written, so unknown and known tags come out in ascending order.
 */
export function writeUnknownTaggedFieldsBefore(writer: Writer, fields: readonly TaggedField[] | undefined, index: number, tag: number): number {
  if (fields === undefined) return index
  let next = index
  while (next < fields.length && fields[next].tag < tag) writer.writeRawTaggedField(fields[next++])
  return next
}

/** Encodes `message` at `version` into a fresh buffer. */
export function encodeMessage<T>(codec: MessageCodec<T>, message: T, version: number): Uint8Array {
  const writer = new Writer()
  codec.write(writer, message, version)
  return writer.finish()
}

/** Decodes exactly `bytes`: trailing bytes are an error. */
export function decodeMessage<T>(codec: MessageCodec<T>, bytes: Uint8Array, version: number): T {
  const reader = new Reader(bytes)
  const message = codec.read(reader, version)
  if (reader.remaining !== 0) reader.fail('trailing bytes', `${reader.remaining} bytes after ${codec.name} v${version}`)
  return message
}

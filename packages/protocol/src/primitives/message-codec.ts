// The shape every generated message codec has. One value per message covers all its versions;
// the version is an argument, never part of a name.
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

/** An inclusive range of versions. */
export interface VersionRange {
  min: number
  max: number
}

/** Encoder and decoder of one message type for every version it has. */
export interface MessageCodec<T> {
  /** The spec's name, such as `'ProduceRequest'`. */
  readonly name: string
  /** The API key of requests and responses; null for headers and data messages. */
  readonly apiKey: number | null
  readonly validVersions: VersionRange
  /** First flexible (compact, tagged-field) version, or null when no version is flexible. */
  readonly flexibleVersions: { min: number } | null
  /** Appends `message` at `version` to `writer`. Throws ProtocolEncodeError. */
  write(writer: Writer, message: T, version: number): void
  /** Reads a message at `version` from `reader`. Throws ProtocolDecodeError. */
  read(reader: Reader, version: number): T
  /** Encodes `message` at `version` into fresh bytes. */
  encode(message: T, version: number): Uint8Array
  /** Decodes `bytes` at `version`; throws ProtocolDecodeError when bytes are left over. */
  decode(bytes: Uint8Array, version: number): T
}

// Compression codec ids, as stored in bits 0-2 of a record batch's attributes.

/** Kafka's compression codec ids (record batch attributes bits 0-2). */
export const CompressionType = {
  None: 0,
  Gzip: 1,
  Snappy: 2,
  Lz4: 3,
  Zstd: 4,
} as const
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType]

/** Codec names as Kafka's `compression.type` config spells them, by id. */
export const COMPRESSION_TYPE_NAMES: Readonly<Record<CompressionType, string>> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
}

/** True when `id` is a codec id this package knows. */
export function isCompressionType(id: number): id is CompressionType {
  return id >= 0 && id <= 4 && Number.isInteger(id)
}

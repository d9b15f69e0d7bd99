// Public API of the compression codecs (re-exported through records/index.ts).
export { CompressionType, COMPRESSION_TYPE_NAMES, isCompressionType } from './compression-type.ts'
export { CompressionError, CompressionErrorReason } from './compression-error.ts'
export { DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress } from './compression.ts'
export type { DecompressOptions } from './compression.ts'
export { XERIAL_MAGIC, isXerialFramed, snappyCompressXerial } from './snappy.ts'
export { lz4FrameOutputBound } from './lz4-frame-decoder.ts'

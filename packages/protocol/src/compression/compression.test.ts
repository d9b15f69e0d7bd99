import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { compressSync as snappyBlock, uncompressSync as snappyUnblock } from 'snappy'
import { ProtocolDecodeError, ProtocolEncodeError } from '../errors.ts'
import { CompressionType } from './compression-type.ts'
import { CompressionError, CompressionErrorReason } from './compression-error.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, compress, decompress } from './compression.ts'
import { XERIAL_BLOCK_BYTES, XERIAL_MAGIC, isXerialFramed, snappyCompressXerial } from './snappy.ts'
import { lz4FrameOutputBound } from './lz4-frame-decoder.ts'

const CODECS = Object.values(CompressionType)
const isReason = (reason: string) => (error: unknown) => error instanceof CompressionError && error.compressionReason === reason

describe('codec round trips', () => {
  for (const codec of CODECS) {
    test(`property: decompress(compress(data)) equals data, codec ${codec}`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 3000 }).map((text) => new TextEncoder().encode(text.repeat(3)))), (data) => {
          assert.deepEqual(decompress(codec, compress(codec, data)), data)
        }),
        { numRuns: 80 },
      )
    })
  }

  test('inputs spanning several xerial / lz4 blocks', () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251)
    for (const codec of CODECS) assert.deepEqual(decompress(codec, compress(codec, data)), data)
  })
})

describe('snappy framing', () => {
  test('snappyCompressXerial writes xerial framing: magic, version 1, compatible 1, [int32 length, raw block]*', () => {
    const data = new Uint8Array(XERIAL_BLOCK_BYTES * 2 + 10).map((_, i) => i & 0x3f)
    const framed = snappyCompressXerial(data)
    assert.deepEqual(framed.subarray(0, 8), XERIAL_MAGIC)
    const view = new DataView(framed.buffer, framed.byteOffset, framed.length)
    assert.deepEqual([view.getInt32(8), view.getInt32(12)], [1, 1])
    // Walk the blocks and decode each with the snappy library directly.
    const blocks: number[] = []
    for (let position = 16; position < framed.length; ) {
      const length = view.getInt32(position)
      blocks.push((snappyUnblock(framed.subarray(position + 4, position + 4 + length), { asBuffer: true }) as Buffer).length)
      position += 4 + length
    }
    assert.deepEqual(blocks, [XERIAL_BLOCK_BYTES, XERIAL_BLOCK_BYTES, 10])
    assert.deepEqual(decompress(CompressionType.Snappy, framed), data)
  })

  test('property: xerial-framed input decodes, whatever the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * XERIAL_BLOCK_BYTES }), (size) => {
        const data = new Uint8Array(size).map((_, i) => (i * 13) % 7)
        assert.deepEqual(decompress(CompressionType.Snappy, snappyCompressXerial(data)), data)
      }),
      { numRuns: 20 },
    )
  })

  test('encode writes one raw block (as librdkafka does), readable by a plain snappy decoder', () => {
    const data = new TextEncoder().encode('raw snappy '.repeat(100))
    const encoded = compress(CompressionType.Snappy, data)
    assert.equal(isXerialFramed(encoded), false)
    assert.deepEqual(new Uint8Array(snappyUnblock(encoded, { asBuffer: true }) as Buffer), data)
    assert.deepEqual(decompress(CompressionType.Snappy, snappyBlock(data)), data)
  })
})

describe('lz4 frame format', () => {
  test('encode writes a standard LZ4 frame (magic 0x184D2204, FLG version 01)', () => {
    const frame = compress(CompressionType.Lz4, new Uint8Array(1000))
    assert.deepEqual([...frame.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18])
    assert.equal(frame[4] >> 6, 1)
    assert.ok(lz4FrameOutputBound(frame) >= 1000)
  })
})

describe('bounded decompression', () => {
  const zeroes = new Uint8Array(8 * 1024 * 1024)
  for (const codec of CODECS) {
    test(`codec ${codec}: output beyond maxDecompressedBytes is a typed error`, () => {
      const bomb = compress(codec, zeroes)
      assert.throws(() => decompress(codec, bomb, { maxDecompressedBytes: 1024 * 1024 }), isReason(CompressionErrorReason.LimitExceeded))
      assert.equal(decompress(codec, bomb, { maxDecompressedBytes: zeroes.length }).length, zeroes.length)
    })
  }

  test(`the default limit is 64 MiB`, () => {
    assert.equal(DEFAULT_MAX_DECOMPRESSED_BYTES, 64 * 1024 * 1024)
    const bomb = gzipSync(new Uint8Array(DEFAULT_MAX_DECOMPRESSED_BYTES + 1), { level: 1 })
    assert.throws(() => decompress(CompressionType.Gzip, bomb), isReason(CompressionErrorReason.LimitExceeded))
  })

  test('a raw snappy block declaring 4 GiB is refused before decoding', () => {
    const lying = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00)
    assert.throws(() => decompress(CompressionType.Snappy, lying), isReason(CompressionErrorReason.LimitExceeded))
  })
})

describe('errors', () => {
  test('unknown compression ids', () => {
    for (const id of [5, 6, 7, -1]) {
      assert.throws(() => decompress(id, new Uint8Array(4)), (error) => isReason(CompressionErrorReason.UnknownCompressionType)(error) && /compression type/.test((error as Error).message))
      assert.throws(() => compress(id, new Uint8Array(4)), ProtocolEncodeError)
    }
  })

  for (const codec of [CompressionType.Snappy, CompressionType.Lz4]) {
    test(`codec ${codec} (our decoder): mutated valid input decodes or throws CompressionError, within the limit`, () => {
      const data = new TextEncoder().encode('abcabcabcabc the quick brown fox '.repeat(400))
      const valid = compress(codec, data)
      const xerial = snappyCompressXerial(data)
      fc.assert(
        fc.property(fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (useXerial, mutations) => {
          const input = (codec === CompressionType.Snappy && useXerial ? xerial : valid).slice()
          for (const [at, xor] of mutations) input[at % input.length] ^= xor
          try {
            const output = decompress(codec, input, { maxDecompressedBytes: 64 * 1024 })
            assert.ok(output.length <= 64 * 1024)
          } catch (error) {
            assert.ok(error instanceof CompressionError, String(error))
          }
        }),
        { numRuns: 400 },
      )
    })
  }

  for (const codec of CODECS.filter((id) => id !== 0)) {
    test(`codec ${codec}: random and truncated input throws only CompressionError`, () => {
      const valid = compress(codec, new TextEncoder().encode('some data that compresses, some data that compresses'))
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.nat(valid.length - 1).map((end) => valid.subarray(0, end))), (input) => {
          try {
            decompress(codec, input, { maxDecompressedBytes: 1024 * 1024 })
          } catch (error) {
            assert.ok(error instanceof CompressionError && error instanceof ProtocolDecodeError, String(error))
          }
        }),
        { numRuns: 300 },
      )
    })
  }
})

import { mkdirSync, writeFileSync } from 'node:fs'
import { createRecordBatch, encodeRecordBatch, CompressionType, snappyCompressXerial, RecordBatchField, crc32c } from '../../packages/protocol/src/records/index.ts'
mkdirSync('/tmp/ours', { recursive: true })
const enc = new TextEncoder()
const records = Array.from({ length: 5 }, (_, i) => ({ key: enc.encode(`key-${i}`), value: i === 3 ? null : enc.encode(`value-${i} `.repeat(4000)), headers: i % 2 === 0 ? [{ key: 'trace-id', value: enc.encode(`t-${i}`) }, { key: 'empty', value: null }] : [], timestamp: 1_700_000_000_000 + i }))
const names = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
for (const [i, name] of names.entries()) writeFileSync(`/tmp/ours/ours-${name}.bin`, encodeRecordBatch(createRecordBatch({ records, compression: i as CompressionType })))
// Xerial: encode uncompressed, then replace the records section with xerial-framed snappy.
const plain = encodeRecordBatch(createRecordBatch({ records }))
const framed = snappyCompressXerial(plain.subarray(61))
const out = new Uint8Array(61 + framed.length); out.set(plain.subarray(0, 61)); out.set(framed, 61)
const view = new DataView(out.buffer)
view.setInt32(8, out.length - 12); view.setInt16(RecordBatchField.attributes, 2)
view.setUint32(RecordBatchField.crc, crc32c(out, 0, 21, out.length))
writeFileSync('/tmp/ours/ours-snappy-xerial.bin', out)
console.log('ok', framed.length)

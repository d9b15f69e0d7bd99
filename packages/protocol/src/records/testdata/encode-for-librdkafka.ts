// Writes ours-<codec>.bin (one record batch per codec, plus Java-style xerial snappy) into the
// directory given as argument, for `capture-librdkafka.py REFBROKER --verify DIR`, which has
// librdkafka consume them. Records: 5 records with 32,000-byte values (several LZ4 / xerial
// blocks), one null value, headers with a null value.
//   npx node packages/protocol/src/records/testdata/encode-for-librdkafka.ts /tmp/ours
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { snappyCompressXerial } from '../../compression/snappy.ts'
import { CompressionType } from '../../compression/compression-type.ts'
import { crc32c } from '../crc32c.ts'
import { createRecordBatch } from '../record-batch-builder.ts'
import { encodeRecordBatch } from '../record-batch.ts'
import { LOG_OVERHEAD, RECORD_BATCH_HEADER_BYTES, RecordBatchField } from '../record-batch-header.ts'

const directory = process.argv[2] ?? '/tmp/ours'
mkdirSync(directory, { recursive: true })
const encoder = new TextEncoder()
const records = Array.from({ length: 5 }, (_, i) => ({
  key: encoder.encode(`key-${i}`),
  value: i === 3 ? null : encoder.encode(`value-${i} `.repeat(4000)),
  headers: i % 2 === 0 ? [{ key: 'trace-id', value: encoder.encode(`t-${i}`) }, { key: 'empty', value: null }] : [],
  timestamp: 1_700_000_000_000 + i,
}))
for (const [name, compression] of Object.entries(CompressionType)) {
  writeFileSync(join(directory, `ours-${name.toLowerCase()}.bin`), encodeRecordBatch(createRecordBatch({ records, compression })))
}
// Xerial: the uncompressed batch with its records section replaced by xerial-framed snappy.
const plain = encodeRecordBatch(createRecordBatch({ records }))
const framed = snappyCompressXerial(plain.subarray(RECORD_BATCH_HEADER_BYTES))
const xerial = new Uint8Array(RECORD_BATCH_HEADER_BYTES + framed.length)
xerial.set(plain.subarray(0, RECORD_BATCH_HEADER_BYTES))
xerial.set(framed, RECORD_BATCH_HEADER_BYTES)
const view = new DataView(xerial.buffer)
view.setInt32(RecordBatchField.batchLength, xerial.length - LOG_OVERHEAD)
view.setInt16(RecordBatchField.attributes, CompressionType.Snappy)
view.setUint32(RecordBatchField.crc, crc32c(xerial, 0, RecordBatchField.attributes, xerial.length))
writeFileSync(join(directory, 'ours-snappy-xerial.bin'), xerial)
console.log(`wrote ${directory}/ours-{none,gzip,snappy,lz4,zstd,snappy-xerial}.bin`)

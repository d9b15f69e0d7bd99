import { readFileSync } from 'node:fs'
import { decodeRecordBatches, parseAttributes, readRecordBatchHeader } from '../../packages/protocol/src/records/index.ts'
for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
  const blob = new Uint8Array(readFileSync(`packages/protocol/src/records/testdata/librdkafka-${codec}.bin`))
  const header = readRecordBatchHeader(blob)
  const batches = decodeRecordBatches(blob)
  const compressed = blob.subarray(61, 61 + 16)
  console.log(codec, batches.length, JSON.stringify({ ...header, baseOffset: String(header.baseOffset), lastOffset: String(header.lastOffset), baseTimestamp: String(header.baseTimestamp), maxTimestamp: String(header.maxTimestamp), producerId: String(header.producerId) }), parseAttributes(header.attributes), Buffer.from(compressed).toString('hex'))
  for (const r of batches[0].records) console.log('  ', r.offsetDelta, r.timestampDelta, r.key && Buffer.from(r.key).toString(), r.value?.length ?? null, r.headers.map((h) => [h.key, h.value && Buffer.from(h.value).toString()]))
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { openPartitionLog } from './partition-open.ts'
import { openSegmentFileCount, SEALED_SEGMENT_FILES_MAX } from './segment-files.ts'
import { resolveTopicConfig } from './topic-config.ts'
import { makeBatch, recordsOf, temporaryDirectory } from './testing/fixtures.ts'

test('reading a partition with more segments than the descriptor bound keeps descriptors bounded', async () => {
  const directory = temporaryDirectory()
  const log = openPartitionLog({
    dir: join(directory.path, 't-0'),
    topic: 't',
    partition: 0,
    config: resolveTopicConfig({ 'segment.bytes': '200' }),
    flushPolicy: 'os',
    cleanShutdown: false,
    nowMs: 0,
  })
  try {
    const segmentCount = SEALED_SEGMENT_FILES_MAX + 40
    for (let i = 0; i < segmentCount; i++) log.append(makeBatch({ count: 1 }), { timestampType: 'CreateTime', nowMs: 0 })
    assert.equal(log.segments.length, segmentCount)
    for (let offset = 0n; offset < log.logEndOffset; offset++) {
      assert.equal(recordsOf(log.read(offset, 1000).records)[0].offset, offset)
      assert.ok(openSegmentFileCount() <= SEALED_SEGMENT_FILES_MAX)
    }
    assert.equal(openSegmentFileCount(), SEALED_SEGMENT_FILES_MAX)
  } finally {
    await log.close()
    directory.remove()
  }
  assert.equal(openSegmentFileCount(), 0, 'close releases the descriptors')
})

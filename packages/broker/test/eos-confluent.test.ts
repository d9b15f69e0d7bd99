// Exactly-once with librdkafka (confluent_kafka under /usr/bin/python3): a transactional
// consume-transform-produce loop with send_offsets_to_transaction, every third transaction
// aborted and re-done. read_committed consumers see each transformed record exactly once and
// never an aborted one; the group's committed offsets are the input's end; a second producer
// with the same transactional.id fences the first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ApiKey, createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import type { OffsetFetchResponse, ProduceResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { readPartition, runProcess, startCoordinatedBroker } from './eos-fixtures.ts'

const inputRecords = 120

test('confluent_kafka transactional consume-transform-produce, aborts and fencing', async () => {
  const broker = await startCoordinatedBroker()
  const client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: 'eos-input', numPartitions: 2 }, { name: 'eos-output', numPartitions: 2 }]))
    for (let partition = 0; partition < 2; partition++) {
      const values = Array.from({ length: inputRecords / 2 }, (_, index) => `i${partition}-${index}`)
      const records = encodeRecordBatch(createRecordBatch({ records: values.map((value) => ({ key: Buffer.from(value), value: Buffer.from(value) })), timestamp: Date.now() }))
      const produced = await client.request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'eos-input', partitionData: [{ index: partition, records }] }] })
      assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0)
    }

    const python = runProcess('/usr/bin/python3', [join(import.meta.dirname, 'eos-confluent-transform.py'), `127.0.0.1:${broker.port}`, String(inputRecords)])
    const timer = setTimeout(() => python.kill('SIGKILL'), 90_000)
    const result = await python.exited
    clearTimeout(timer)
    assert.equal(result.code, 0, `python failed: ${result.stderr}`)
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { processed: number; committed: number; aborted: number; fencedError: string | null }
    assert.equal(summary.processed, inputRecords)
    assert.ok(summary.aborted >= 1, 'some transactions were aborted')
    assert.match(summary.fencedError ?? '', /FENCED|INVALID_PRODUCER_EPOCH/)

    const committedValues: string[] = []
    const uncommittedValues: string[] = []
    for (let partition = 0; partition < 2; partition++) {
      committedValues.push(...(await readPartition(broker.port, 'eos-output', partition, 1)).records.map((record) => record.value!))
      uncommittedValues.push(...(await readPartition(broker.port, 'eos-output', partition, 0)).records.map((record) => record.value!))
    }
    const expected = Array.from({ length: 2 }, (_, partition) => Array.from({ length: inputRecords / 2 }, (_, index) => `T:i${partition}-${index}`)).flat()
    assert.deepEqual(committedValues.filter((value) => value.startsWith('T:')).sort(), expected.sort(), 'each input transformed exactly once')
    assert.ok(!committedValues.includes('zombie'), 'the fenced transaction is never visible')
    assert.ok(committedValues.includes('successor'))
    assert.ok(uncommittedValues.length > committedValues.length, 'aborted records exist in the log (read_uncommitted sees them)')

    const offsets = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, { groupId: 'eos-group', topics: null, groups: [], requireStable: true })
    assert.deepEqual(offsets.topics.map((topic) => [topic.name, topic.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset, partition.errorCode]).sort()]),
      [['eos-input', [[0, BigInt(inputRecords / 2), 0], [1, BigInt(inputRecords / 2), 0]]]])
  } finally {
    client.close()
    await broker.destroy()
  }
})

// kcat -G (librdkafka's balanced consumer) against the broker: two members split a 4-partition
// topic, one leaves and the other takes all four; the committed offsets survive a consumer
// restart and a broker restart (a new consumer reads only what was produced after them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, createRecordBatch, encodeRecordBatch } from '@tributary/protocol'
import type { DescribeGroupsResponse, OffsetFetchResponse, ProduceResponse } from '@tributary/protocol'
import { WireClient } from './fixtures/wire-client.ts'
import { createTopicsRequest } from './fixtures/requests.ts'
import { runProcess, startCoordinatedBroker, waitFor } from './eos-fixtures.ts'
import type { CoordinatedBroker, RunningProcess } from './eos-fixtures.ts'

const topic = 'kcat-topic'
const kcatSettings = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=300', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=200', '-X', 'topic.metadata.refresh.interval.ms=1000']

function startKcat(port: number, extra: string[] = []): RunningProcess {
  return runProcess('kcat', ['-b', `127.0.0.1:${port}`, '-G', 'kcat-group', ...kcatSettings, '-f', '%p:%o:%s\\n', '-u', ...extra, topic])
}

async function produce(port: number, label: string, perPartition: number): Promise<string[]> {
  const client = await WireClient.connect(port)
  const values: string[] = []
  try {
    for (let partition = 0; partition < 4; partition++) {
      const batchValues = Array.from({ length: perPartition }, (_, index) => `${label}-p${partition}-${index}`)
      values.push(...batchValues)
      const records = encodeRecordBatch(createRecordBatch({ records: batchValues.map((value) => ({ value: Buffer.from(value) })), timestamp: Date.now() }))
      const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
      assert.equal(response.responses[0].partitionResponses[0].errorCode, 0)
    }
  } finally {
    client.close()
  }
  return values
}

/** Member id → assigned partitions of kcat-topic, from DescribeGroups (the consumer protocol assignment v0+). */
async function assignments(port: number): Promise<number[][]> {
  const client = await WireClient.connect(port)
  try {
    const described = await client.request<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5, { groups: ['kcat-group'], includeAuthorizedOperations: false })
    const group = described.groups[0]
    if (group.groupState !== 'Stable') return []
    return group.members.map((member) => parseAssignment(member.memberAssignment)).sort((left, right) => left[0] - right[0])
  } finally {
    client.close()
  }
}

function parseAssignment(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 6) return []
  let position = 2
  const partitions: number[] = []
  const topics = view.getInt32(position)
  position += 4
  for (let index = 0; index < topics; index++) {
    const nameLength = view.getInt16(position)
    position += 2 + nameLength
    const count = view.getInt32(position)
    position += 4
    for (let partition = 0; partition < count; partition++, position += 4) partitions.push(view.getInt32(position))
  }
  return partitions.sort((left, right) => left - right)
}

async function committedOffsets(port: number): Promise<bigint[]> {
  const client = await WireClient.connect(port)
  try {
    const response = await client.request<OffsetFetchResponse>(ApiKey.OffsetFetch, 6, { groupId: 'kcat-group', topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }], groups: [], requireStable: false })
    return response.topics[0].partitions.map((partition) => partition.committedOffset)
  } finally {
    client.close()
  }
}

function consumedValues(consumer: RunningProcess): string[] {
  return consumer.stdout().split('\n').filter((line) => line !== '').map((line) => line.split(':').slice(2).join(':'))
}

async function stop(consumer: RunningProcess): Promise<void> {
  consumer.kill('SIGTERM')
  const result = await consumer.exited
  assert.ok(result.code === 0 || result.code === null, `kcat exited with ${result.code}: ${result.stderr}`)
}

test('kcat -G: split, take over, offsets survive consumer and broker restarts', async () => {
  let broker: CoordinatedBroker = await startCoordinatedBroker()
  const dataDir = broker.dataDir
  const processes: RunningProcess[] = []
  try {
    const client = await WireClient.connect(broker.port)
    await client.request(ApiKey.CreateTopics, 5, createTopicsRequest([{ name: topic, numPartitions: 4 }]))
    client.close()
    const a = startKcat(broker.port)
    const b = startKcat(broker.port)
    processes.push(a, b)
    await waitFor('two members with two partitions each', async () => JSON.stringify(await assignments(broker.port)) === JSON.stringify([[0, 1], [2, 3]]), 30_000, 200)
    const first = await produce(broker.port, 'first', 5)
    await waitFor('both consumed the first records', () => consumedValues(a).length + consumedValues(b).length >= first.length, 20_000)
    assert.deepEqual([...consumedValues(a), ...consumedValues(b)].sort(), [...first].sort())
    // Each member read exactly two whole partitions, and not the same ones.
    const partitionsOf = (values: string[]) => [...new Set(values.map((value) => Number(/-p(\d)-/.exec(value)![1])))].sort()
    assert.equal(partitionsOf(consumedValues(a)).length, 2)
    assert.deepEqual([...partitionsOf(consumedValues(a)), ...partitionsOf(consumedValues(b))].sort(), [0, 1, 2, 3])

    await stop(b)
    await waitFor('the remaining member owns all four partitions', async () => JSON.stringify(await assignments(broker.port)) === JSON.stringify([[0, 1, 2, 3]]), 30_000, 200)
    const second = await produce(broker.port, 'second', 3)
    await waitFor('the remaining member consumed the new records', () => second.every((value) => consumedValues(a).includes(value)), 20_000)
    await stop(a)
    assert.deepEqual(await committedOffsets(broker.port), [8n, 8n, 8n, 8n])

    // Consumer restart: a new member resumes from the committed offsets.
    const third = await produce(broker.port, 'third', 2)
    assert.deepEqual(broker.consumerLag('kcat-group').map((lag) => [lag.topic, lag.partition, lag.committedOffset, lag.highWatermark, lag.lag]),
      [0, 1, 2, 3].map((partition) => [topic, partition, 8n, 10n, 2n]), 'the lag API sees two new records per partition')
    const c = startKcat(broker.port)
    processes.push(c)
    await waitFor('the restarted consumer read the third records', () => third.every((value) => consumedValues(c).includes(value)), 30_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(consumedValues(c).sort(), [...third].sort(), 'nothing before the committed offsets again')
    await stop(c)
    assert.deepEqual(await committedOffsets(broker.port), [10n, 10n, 10n, 10n])

    // Broker restart: the offsets come back from __consumer_offsets.
    await broker.close()
    broker = await startCoordinatedBroker({ dataDir })
    assert.deepEqual(await committedOffsets(broker.port), [10n, 10n, 10n, 10n])
    const fourth = await produce(broker.port, 'fourth', 1)
    const d = startKcat(broker.port)
    processes.push(d)
    await waitFor('the consumer after the broker restart read the fourth records', () => fourth.every((value) => consumedValues(d).includes(value)), 30_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(consumedValues(d).sort(), [...fourth].sort())
    await stop(d)
  } finally {
    for (const consumer of processes) consumer.kill('SIGKILL')
    await broker.destroy()
  }
})

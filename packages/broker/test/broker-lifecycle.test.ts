// startBroker as a library: start time, periodic retention driven by an injected clock, option
// validation, and close() answering a parked long-poll fetch.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { Clock, FetchResponse, ListOffsetsResponse, ProduceResponse } from '@tributary/protocol'
import { BrokerError, startBroker } from '@tributary/broker'
import { WireClient } from './fixtures/wire-client.ts'
import { recordBatch, startTestBroker } from './fixtures/test-broker.ts'
import { createTopicsRequest, fetchRequest, listOffsetsRequest, produceRequest } from './fixtures/requests.ts'

/** A clock whose timers fire only when the test advances it. */
function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let now = startMs
  const timers = new Set<{ at: number; callback: () => void }>()
  return {
    nowMs: () => now,
    sleep: (delayMs) => new Promise((resolve) => {
      timers.add({ at: now + delayMs, callback: () => resolve() })
    }),
    setTimer(delayMs, callback) {
      const timer = { at: now + delayMs, callback }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    advance(ms) {
      now += ms
      for (const timer of [...timers].sort((left, right) => left.at - right.at)) {
        if (timer.at > now || !timers.has(timer)) continue
        timers.delete(timer)
        timer.callback()
      }
    },
  }
}

test('startBroker on an existing data directory takes well under a second', async () => {
  const first = await startTestBroker()
  await first.close()
  const startedMs = performance.now()
  const second = await startTestBroker({ dataDir: first.dataDir })
  const elapsedMs = performance.now() - startedMs
  await second.destroy()
  assert.ok(elapsedMs < 1000, `started in ${elapsedMs} ms`)
})

test('retention runs every log.retention.check.interval.ms of the injected clock', async () => {
  const clock = manualClock(Date.now())
  const broker = await startTestBroker({ clock, retentionCheckIntervalMs: 60_000 })
  const client = await WireClient.connect(broker.port)
  try {
    await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'short-lived', configs: { 'retention.ms': '1000', 'segment.bytes': '1024' } }]))
    for (let index = 0; index < 20; index++) {
      const response = await client.request<ProduceResponse>(ApiKey.Produce, 9, produceRequest('short-lived', { 0: recordBatch([`record-${index}`.padEnd(100, '.')], clock.nowMs()) }))
      assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.None)
    }
    const earliest = async (): Promise<bigint> => (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('short-lived', 0, -2n))).topics[0].partitions[0].offset
    assert.equal(await earliest(), 0n)
    clock.advance(59_000)
    assert.equal(await earliest(), 0n, 'no retention before the check interval')
    clock.advance(1_000)
    const afterCheck = await earliest()
    assert.ok(afterCheck > 0n, `old segments deleted, logStartOffset ${afterCheck}`)
    const latest = (await client.request<ListOffsetsResponse>(ApiKey.ListOffsets, 7, listOffsetsRequest('short-lived', 0, -1n))).topics[0].partitions[0].offset
    assert.equal(latest, 20n, 'the active segment is kept')
  } finally {
    client.close()
    await broker.destroy()
  }
})

test('bad options fail with BrokerError before binding', async () => {
  await assert.rejects(startBroker({ dataDir: '/nonexistent/never-created', port: 70000 }), (error: unknown) => error instanceof BrokerError && error.code === 'BROKER_INVALID_OPTION')
  await assert.rejects(startBroker({ dataDir: '/nonexistent/never-created', flushPolicy: 'sometimes' as never }), BrokerError)
})

test('close() answers a parked long-poll fetch instead of waiting for maxWaitMs', async () => {
  const broker = await startTestBroker()
  const client = await WireClient.connect(broker.port)
  await client.request(ApiKey.CreateTopics, 7, createTopicsRequest([{ name: 'idle' }]))
  const startedMs = Date.now()
  const parked = client.request<FetchResponse>(ApiKey.Fetch, 12, fetchRequest([{ topic: 'idle', partition: 0, fetchOffset: 0n }], { maxWaitMs: 30_000, minBytes: 1 }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  await broker.destroy()
  const response = await parked
  assert.equal(response.responses[0].partitions[0].errorCode, ErrorCode.None)
  assert.ok(Date.now() - startedMs < 10_000)
  client.close()
})

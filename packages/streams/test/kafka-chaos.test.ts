// The exactly-once chaos test of the issue: three KafkaStreams instances in their own
// processes (kafka-chaos-worker.ts) run click enrichment (clicks ⨝ user-profiles) and a
// 1-minute tumbling count per user under exactly_once_v2 with persistent state, while a
// seeded schedule kills random instances with SIGKILL and restarts them. The read_committed
// output must then equal a batch computation of the same input exactly: per windowed key the
// committed counts rise and end at the batch count n (nothing lost, nothing counted twice); with
// the record cache (default) updates between commits are merged, so not every 1..n appears.
// TRIBUTARY_CHAOS_EVENTS (clicks, default below), TRIBUTARY_CHAOS_KILLS, TRIBUTARY_CHAOS_SEED;
// GUARANTEE=at_least_once runs the same workers without transactions (the test then fails).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConsumer, createProducer, type ProducerRecord } from '@tributary/client'
import { Serdes, WindowedSerdes } from '../src/index.ts'
import { spawnWorker, useKafkaTarget } from './kafka-harness.ts'
import { CHAOS_TOPICS, CHAOS_WINDOW_MS, batchWindowedCounts, chaosClicks, chaosProfiles, seededRandom } from './kafka-chaos-data.ts'

const EVENTS = Number(process.env.TRIBUTARY_CHAOS_EVENTS ?? 1_000_000)
const KILLS = Number(process.env.TRIBUTARY_CHAOS_KILLS ?? 10)
const SEED = Number(process.env.TRIBUTARY_CHAOS_SEED ?? 20_261_122)
const USERS = 1_000
const PARTITIONS = 6
const INSTANCES = 3
const OUTPUT_TIMEOUT_MS = 200_000
const encoder = new TextEncoder()
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const kafkaTarget = useKafkaTarget()

async function produceInput(bootstrapServers: string): Promise<void> {
  const producer = createProducer({ bootstrapServers, idempotent: true, lingerMs: 5 })
  try {
    await producer.send([...chaosProfiles(USERS)].map(([user, profile]) => ({ topic: CHAOS_TOPICS.profiles, key: encoder.encode(user), value: encoder.encode(profile) })))
    let chunk: ProducerRecord[] = []
    for (const click of chaosClicks(EVENTS, USERS, SEED)) {
      chunk.push({ topic: CHAOS_TOPICS.clicks, key: encoder.encode(click.userId), value: encoder.encode(click.page), timestamp: click.timestampMs })
      if (chunk.length === 20_000) {
        await producer.send(chunk)
        chunk = []
      }
    }
    await producer.send(chunk)
  } finally {
    await producer.close()
  }
}

/** records: output records read; counted: clicks the committed counts account for (the sum of the latest counts). */
interface OutputCheck { records: number; counted: number; matching: number; violation: string | undefined; latest: Map<string, number>; done: boolean }

/** Folds the read_committed output into the latest count per windowed key, checking that counts only rise, as it goes. */
async function readOutput(bootstrapServers: string, expected: ReadonlyMap<string, number>, check: OutputCheck, stop: () => boolean): Promise<void> {
  const keySerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), CHAOS_WINDOW_MS)
  const longSerde = Serdes.Long()
  const consumer = createConsumer({ bootstrapServers, autoOffsetReset: 'earliest', isolationLevel: 'read_committed' })
  const deadline = Date.now() + OUTPUT_TIMEOUT_MS
  try {
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: CHAOS_TOPICS.counts, partition })))
    while (check.violation === undefined && !(check.matching === expected.size && stop()) && Date.now() < deadline) {
      for (const record of await consumer.poll({ timeoutMs: 200 })) {
        const windowed = keySerde.deserialize(CHAOS_TOPICS.counts, record.key)!
        const key = `${windowed.key}@${windowed.window.startMs}`
        const count = longSerde.deserialize(CHAOS_TOPICS.counts, record.value)!
        check.records++
        const previous = check.latest.get(key) ?? 0
        // With the record cache (on by default) updates between commits are merged: the committed
        // counts of a key rise, not necessarily by one. Counting a record twice would end above
        // the batch count; losing one, below it; a rollback made visible, as a count not above its predecessor.
        if (count <= previous) check.violation ??= `${key}: committed count ${count} after ${previous}`
        check.counted += count - previous
        if (count > (expected.get(key) ?? 0)) check.violation ??= `${key}: committed count ${count} exceeds the batch count ${expected.get(key) ?? 0}`
        if (previous === expected.get(key)) check.matching--
        if (count === expected.get(key)) check.matching++
        check.latest.set(key, count)
      }
    }
  } finally {
    check.done = true
    await consumer.close()
  }
}


test(`chaos: click enrichment + windowed counts, ${INSTANCES} instances killed -9 ${KILLS} times over ${EVENTS} clicks; read_committed output equals the batch result`, { timeout: 300_000 }, async (context) => {
  const broker = kafkaTarget(context)
  if (broker === undefined) return
  if (!broker.enforcesTransactions) return context.skip(`${broker.name} does not enforce transactions (no markers, TxnOffsetCommit discarded)`)
  const startedMs = Date.now()
  await broker.createTopic(CHAOS_TOPICS.clicks, PARTITIONS)
  await broker.createTopic(CHAOS_TOPICS.counts, PARTITIONS)
  await broker.createTopic(CHAOS_TOPICS.profiles, 2)
  const stateRoot = await mkdtemp(join(tmpdir(), 'chaos-clicks-'))
  context.after(() => rm(stateRoot, { recursive: true, force: true }))
  const workers = new Map<number, ChildProcess>()
  context.after(() => {
    for (const child of workers.values()) child.kill('SIGKILL')
  })
  const relaunches: Promise<void>[] = []
  const killed = new Set<ChildProcess>()
  const launch = (index: number): Promise<void> => {
    const worker = spawnWorker(join(import.meta.dirname, 'kafka-chaos-worker.ts'), { BOOTSTRAP: broker.bootstrapServers, STATE_DIR: join(stateRoot, `instance-${index}`), APPLICATION_ID: 'chaos-clicks' })
    workers.set(index, worker.child)
    // One killed again before it reached RUNNING did nothing wrong.
    return worker.running.catch((error: unknown) => {
      if (!killed.has(worker.child)) throw error
    })
  }

  const expected = batchWindowedCounts(chaosClicks(EVENTS, USERS, SEED), chaosProfiles(USERS))
  // Profiles first: the GlobalKTable is bootstrapped to its end before any click is processed.
  await produceInput(broker.bootstrapServers)
  context.diagnostic(`produced ${EVENTS} clicks in ${Date.now() - startedMs} ms`)
  await Promise.all(Array.from({ length: INSTANCES }, (_, index) => launch(index)))
  // Kill i lands once a random share of the output, in ((i, i+1) / (KILLS + 1)), is committed,
  // so the kills spread over the whole processing whatever the machine's speed.
  const totalUpdates = [...expected.values()].reduce((sum, count) => sum + count, 0)
  const output: OutputCheck = { records: 0, counted: 0, matching: 0, violation: undefined, latest: new Map(), done: false }
  const random = seededRandom(SEED ^ 0x5eed)
  const killedAt: number[] = []
  const killing = (async () => {
    for (let kill = 0; kill < KILLS && !output.done; kill++) {
      const threshold = (totalUpdates * (kill + random())) / (KILLS + 1)
      await sleep(250)
      while (output.counted < threshold && !output.done) await sleep(50)
      if (output.done) break
      const victim = Math.floor(random() * INSTANCES)
      killed.add(workers.get(victim)!)
      workers.get(victim)!.kill('SIGKILL')
      killedAt.push(output.counted)
      await sleep(random() * 500)
      relaunches.push(launch(victim))
    }
  })()
  await readOutput(broker.bootstrapServers, expected, output, () => killedAt.length >= KILLS)
  const kills = killedAt.length
  await killing
  // A restarted instance that failed to start would leave the others to finish: that is a failure too.
  await Promise.all(relaunches)
  context.diagnostic(`${EVENTS} clicks, ${totalUpdates} enriched, ${expected.size} windowed keys, ${output.records} output records, ${kills} kills (at counted clicks ${killedAt.join(', ')}), ${Date.now() - startedMs} ms`)
  assert.equal(output.violation, undefined)
  assert.ok(output.matching === expected.size, `after ${Date.now() - startedMs} ms: ${output.counted} of ${totalUpdates} clicks counted in committed output, ${output.matching} of ${expected.size} windowed keys complete`)
  const wrong = [...expected].filter(([key, count]) => output.latest.get(key) !== count)
  assert.deepEqual(wrong.slice(0, 5).map(([key, count]) => `${key}: committed ${output.latest.get(key) ?? 'nothing'}, batch ${count}`), [], `${wrong.length} of ${expected.size} windowed keys differ`)
  assert.deepEqual([...output.latest.keys()].filter((key) => !expected.has(key)), [], 'windowed keys absent from the batch result')
  assert.ok(kills >= KILLS)
})

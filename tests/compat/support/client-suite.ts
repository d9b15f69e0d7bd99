// The compat checks every third-party client goes through, once per target broker. A test
// file per client calls defineClientSuite(driver, { recordsPerCodec }) at top level.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { codecs, type ClientDriver } from './client-driver.ts'
import { defaultPartitions, targets, type RunningTarget, type Target } from './targets.ts'
import { expectedOffsetsForTime, makeRecords, verifyConsumed } from './records.ts'
import { servedApiKeys } from './setup-client.ts'

const ApiKeys = {
  Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11,
  Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, CreateTopics: 19, DeleteTopics: 20, InitProducerId: 22,
  AddPartitionsToTxn: 24, EndTxn: 26, DescribeConfigs: 32, AlterConfigs: 33,
} as const
const groupApis = [ApiKeys.FindCoordinator, ApiKeys.JoinGroup, ApiKeys.SyncGroup, ApiKeys.Heartbeat, ApiKeys.LeaveGroup, ApiKeys.OffsetFetch, ApiKeys.OffsetCommit]
const apiName = (apiKey: number) => Object.entries(ApiKeys).find(([, key]) => key === apiKey)?.[0] ?? `api key ${apiKey}`

type TestContext = { skip(reason: string): void; diagnostic(message: string): void }

export type ClientSuiteOptions = {
  /** Records per compression codec; `TRIBUTARY_COMPAT_RECORDS` overrides it. */
  recordsPerCodec: number
  /** Why fewer than 100k records (reported in the test name). */
  recordsReason?: string
}

const testTimeoutMs = 240_000

export async function defineClientSuite(driver: ClientDriver, options: ClientSuiteOptions): Promise<void> {
  const recordsPerCodec = Number(process.env.TRIBUTARY_COMPAT_RECORDS ?? options.recordsPerCodec)
  const clientUnavailable = driver.unavailable()
  const only = process.env.TRIBUTARY_COMPAT_TARGET
  for (const target of targets) {
    if (only !== undefined && only !== target.name) continue
    const skip = clientUnavailable ?? (await target.unavailable()) ?? target.refusesClient[driver.name]
    describe(`${driver.name} against ${target.name}`, { skip }, () => defineChecks(driver, target, recordsPerCodec, options))
  }
}

function defineChecks(driver: ClientDriver, target: Target, recordsPerCodec: number, options: ClientSuiteOptions): void {
  // Names carry client and target so tests.allow can list them one per line.
  const name = (check: string) => `${driver.name}/${target.name}: ${check}`
  let running: RunningTarget
  let topicNumber = 0
  const freshTopic = async (purpose: string) => {
    const topic = `compat-${driver.name}-${purpose}-${++topicNumber}`
    await running.createTopic(topic, defaultPartitions)
    return topic
  }
  let served = new Set<number>()
  before(async () => {
    running = await target.start()
    served = await servedApiKeys(running.bootstrap)
  }, { timeout: 30_000 })
  /**
   * Checks that the broker advertises the APIs a check needs. refbroker's gaps are known limits
   * (skip with the reason); ours must serve them, so there it fails at once, naming the missing
   * APIs, instead of letting the client time out.
   */
  const needs = (context: TestContext, apiKeys: readonly number[]): boolean => {
    const missing = [...new Set(apiKeys)].filter((apiKey) => !served.has(apiKey)).map(apiName)
    if (missing.length === 0) return true
    const reason = `${target.name} does not advertise ${missing.join(', ')} in ApiVersions`
    if (target.name === 'refbroker') { context.skip(reason); return false }
    assert.fail(reason)
  }
  const dataApis = [ApiKeys.Produce, ApiKeys.Fetch, ApiKeys.ListOffsets, ApiKeys.Metadata, ...(driver.consumesThroughGroup ? groupApis : [])]
  after(async () => { await running?.close() })

  test(name('metadata lists the broker and the topic with its partitions'), { timeout: testTimeoutMs }, async (context) => {
    if (!needs(context, [ApiKeys.Metadata])) return
    const topic = await freshTopic('metadata')
    const metadata = await driver.metadata(running.bootstrap, [topic])
    const [, port] = running.bootstrap.split(',')[0].split(':')
    assert.ok(metadata.brokers.some((broker) => broker.port === Number(port)), `brokers ${JSON.stringify(metadata.brokers)} do not include ${running.bootstrap}`)
    assert.deepEqual(metadata.topics.find((entry) => entry.name === topic), { name: topic, partitions: defaultPartitions })
  })

  const adminSkip = driver.missing?.createTopic ?? target.lacks.admin
  test(name('create and delete a topic'), { skip: adminSkip, timeout: testTimeoutMs }, async (context) => {
    if (!needs(context, [ApiKeys.CreateTopics, ApiKeys.DeleteTopics])) return
    const topic = `compat-${driver.name}-admin-${Date.now()}`
    await driver.createTopic!(running.bootstrap, topic, 3)
    const created = await driver.metadata(running.bootstrap, [topic])
    assert.deepEqual(created.topics.find((entry) => entry.name === topic), { name: topic, partitions: 3 })
    await driver.deleteTopic!(running.bootstrap, topic)
    await eventually(async () => {
      const { topics } = await driver.metadata(running.bootstrap, [])
      assert.ok(!topics.some((entry) => entry.name === topic), `${topic} still listed after delete`)
    })
  })

  const countNote = options.recordsReason && process.env.TRIBUTARY_COMPAT_RECORDS === undefined ? ` (${options.recordsReason})` : ''
  for (const codec of codecs) {
    const codecSkip = driver.codecs.supported.includes(codec) ? undefined : driver.codecs.missingReason ?? `${driver.name} cannot produce ${codec}`
    test(name(`produce keyed records with ${codec}, consume them back byte-identical and in order per partition`),
      { skip: codecSkip, timeout: testTimeoutMs }, async (context) => {
        if (!needs(context, dataApis)) return
        context.diagnostic(`${recordsPerCodec} records${countNote}`)
        const topic = await freshTopic(codec)
        const records = makeRecords(recordsPerCodec, codec)
        await driver.produce(running.bootstrap, { topic, records, compression: codec })
        const consumed = await driver.consume(running.bootstrap, { topic, count: records.length })
        verifyConsumed(records, consumed)
      })
  }

  test(name('a consumer group resumes from its committed offsets'), { timeout: testTimeoutMs }, async (context) => {
    if (!needs(context, [...dataApis, ...groupApis])) return
    const topic = await freshTopic('group')
    const group = `compat-${driver.name}-group-${Date.now()}`
    const first = makeRecords(1000, 'first', 4)
    await driver.produce(running.bootstrap, { topic, records: first, compression: 'none' })
    verifyConsumed(first, await driver.consume(running.bootstrap, { topic, count: first.length, group, commit: true }))
    const second = makeRecords(500, 'second', 5)
    await driver.produce(running.bootstrap, { topic, records: second, compression: 'none' })
    // Only the new records: anything from `first` here means the commit was lost or ignored.
    verifyConsumed(second, await driver.consume(running.bootstrap, { topic, count: second.length, group, commit: true }))
  })

  test(name('transactions: a read_committed consumer gets committed records and no aborted ones'),
    { skip: driver.missing?.produceTransactions ?? target.clientLacks[driver.name]?.transactions, timeout: testTimeoutMs }, async (context) => {
      if (!needs(context, [...dataApis, ApiKeys.FindCoordinator, ApiKeys.InitProducerId, ApiKeys.AddPartitionsToTxn, ApiKeys.EndTxn])) return
      // refbroker writes no transaction markers (its README), so aborted records would be
      // visible there: against it the middle transaction commits too, which still checks the
      // client's transactional path end to end.
      const canAbort = target.name !== 'refbroker'
      const topic = await freshTopic('transactions')
      const [before, middle, after] = [makeRecords(200, 'committed', 6), makeRecords(100, 'aborted', 7), makeRecords(200, 'later', 8)]
      await driver.produceTransactions!(running.bootstrap, {
        topic, transactionalId: `compat-${driver.name}-${Date.now()}`,
        transactions: [{ records: before, commit: true }, { records: middle, commit: !canAbort }, { records: after, commit: true }],
      })
      const expected = canAbort ? [...before, ...after] : [...before, ...middle, ...after]
      verifyConsumed(expected, await driver.consume(running.bootstrap, { topic, count: expected.length }))
    })

  test(name('offsets by timestamp'), { skip: driver.missing?.offsetsForTimes ?? target.lacks.offsetsForTimes, timeout: testTimeoutMs }, async (context) => {
    if (!needs(context, dataApis)) return
    const topic = await freshTopic('timestamps')
    const before = makeRecords(400, 'before', 2)
    const afterRecords = makeRecords(400, 'after', 3)
    await driver.produce(running.bootstrap, { topic, records: before, compression: 'none' })
    await sleep(50)
    const boundaryMs = Date.now()
    await sleep(50)
    await driver.produce(running.bootstrap, { topic, records: afterRecords, compression: 'none' })
    const consumed = await driver.consume(running.bootstrap, { topic, count: before.length + afterRecords.length })
    const expected = expectedOffsetsForTime(consumed, defaultPartitions, boundaryMs)
    assert.ok([...expected.values()].some((offset) => offset > 0), 'test setup: some partition should have records on both sides of the boundary')
    assert.deepEqual(await driver.offsetsForTimes!(running.bootstrap, topic, defaultPartitions, boundaryMs), expected)
    const future = await driver.offsetsForTimes!(running.bootstrap, topic, defaultPartitions, Date.now() + 3_600_000)
    const pastEnd = new Map<number, number>()
    for (let partition = 0; partition < defaultPartitions; partition++) pastEnd.set(partition, -1)
    if (driver.offsetsForTimesPastEnd === 'high-watermark') {
      for (const record of consumed) pastEnd.set(record.partition, Math.max(pastEnd.get(record.partition) ?? -1, record.offset + 1))
    }
    assert.deepEqual(future, pastEnd, `a timestamp after every record has no offset (${driver.offsetsForTimesPastEnd ?? '-1'})`)
  })

  test(name('describe and alter topic configs'), { skip: driver.missing?.describeConfigs ?? target.lacks.configs, timeout: testTimeoutMs }, async (context) => {
    if (!needs(context, [ApiKeys.DescribeConfigs, ApiKeys.AlterConfigs])) return
    const topic = await freshTopic('configs')
    const initial = await driver.describeConfigs!(running.bootstrap, topic)
    assert.equal(initial['cleanup.policy'], 'delete', `cleanup.policy in ${JSON.stringify(initial)}`)
    assert.match(String(initial['retention.ms']), /^-?\d+$/)
    await driver.alterConfigs!(running.bootstrap, topic, { 'retention.ms': '123456789', 'cleanup.policy': 'compact' })
    const altered = await driver.describeConfigs!(running.bootstrap, topic)
    assert.equal(altered['retention.ms'], '123456789')
    assert.equal(altered['cleanup.policy'], 'compact')
  })
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { return await check() } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(250)
    }
  }
}

// The client layer against a real broker over TCP. The target is a parameter (targets.ts): today
// librdkafka's mock cluster, later our own broker. On the mock, transactions are only
// protocol-deep (no markers, TxnOffsetCommit discarded), so those tests check the call sequence.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ClientError, ClientErrorCode, createClient, KafkaProtocolError, rangeAssignor, type Consumer, type ConsumerRecord, type KafkaClient, type PartitionAssignor } from '../src/index.ts'
import { targets, type BrokerTarget } from './targets.ts'

for (const factory of targets) {
  const started = await factory.start()
  const skip = 'skip' in started ? started.skip : false
  describe(`client against ${factory.name}`, { skip }, () => {
    const target = started as BrokerTarget
    let client: KafkaClient
    before(() => {
      client = createClient({ bootstrapServers: target.bootstrapServers, clientId: 'client-test', requestTimeoutMs: 15_000 })
    })
    after(async () => {
      await target.stop()
    })

    test('produce then consume: keys, values, headers, offsets round-trip', async () => {
      await target.createTopic('round-trip', 3)
      const producer = client.producer()
      const records = Array.from({ length: 30 }, (_, index) => ({
        topic: 'round-trip',
        key: Buffer.from(`key-${index % 7}`),
        value: Buffer.from(`value-${index}`),
        headers: [{ key: 'index', value: Buffer.from(String(index)) }],
      }))
      const metadata = await producer.send(records)
      assert.equal(metadata.length, 30)
      const sameKey = metadata.filter((_, index) => index % 7 === 0)
      assert.ok(sameKey.every((entry) => entry.partition === sameKey[0].partition), 'one key, one partition')
      await producer.close()

      const consumer = client.consumer({ maxPollRecords: 8 })
      const partitions = [0, 1, 2].map((partition) => ({ topic: 'round-trip', partition }))
      consumer.assign(partitions)
      await consumer.seekToBeginning(partitions)
      const received = await pollUntil(consumer, 30, 15_000)
      await consumer.close()
      assert.equal(received.length, 30)
      for (const record of received) {
        const index = Number(record.headers.find((header) => header.key === 'index')!.value!.toString())
        assert.equal(record.value!.toString(), `value-${index}`)
        assert.equal(record.key!.toString(), `key-${index % 7}`)
        assert.deepEqual({ partition: record.partition, offset: record.offset }, { partition: metadata[index].partition, offset: metadata[index].offset })
      }
    })

    test('pause, resume, seek and position', async () => {
      await target.createTopic('seekable', 2)
      const producer = client.producer()
      await producer.send(Array.from({ length: 10 }, (_, index) => ({ topic: 'seekable', partition: index % 2, value: Buffer.from(String(index)) })))
      await producer.close()
      const consumer = client.consumer()
      const zero = { topic: 'seekable', partition: 0 }
      const one = { topic: 'seekable', partition: 1 }
      consumer.assign([zero, one])
      await consumer.seekToBeginning([zero, one])
      consumer.pause([one])
      const fromZero = await pollUntil(consumer, 5, 10_000)
      assert.ok(fromZero.every((record) => record.partition === 0))
      assert.equal(await consumer.position(zero), 5n)
      consumer.resume([one])
      consumer.seek(zero, 3n)
      const rest = await pollUntil(consumer, 7, 10_000)
      await consumer.close()
      assert.deepEqual(rest.filter((record) => record.partition === 0).map((record) => record.offset), [3n, 4n])
      assert.equal(rest.filter((record) => record.partition === 1).length, 5)
    })

    test('poll survives a broker outage and resumes after it', { skip: target.setBrokerReachable === undefined ? 'target cannot take a broker down' : false, timeout: 60_000 }, async () => {
      await target.createTopic('outage', 1)
      const producer = client.producer()
      await producer.send([{ topic: 'outage', value: Buffer.from('before') }])
      const consumer = client.consumer()
      const partition = { topic: 'outage', partition: 0 }
      consumer.assign([partition])
      await consumer.seekToBeginning([partition])
      assert.deepEqual((await pollUntil(consumer, 1, 10_000)).map((record) => record.value!.toString()), ['before'])
      await target.setBrokerReachable!(1, false)
      assert.deepEqual(await consumer.poll({ timeoutMs: 1_500 }), [])
      await target.setBrokerReachable!(1, true)
      await producer.send([{ topic: 'outage', value: Buffer.from('after') }])
      assert.deepEqual((await pollUntil(consumer, 1, 15_000)).map((record) => record.value!.toString()), ['after'])
      await Promise.all([consumer.close(), producer.close()])
    })

    test('admin: describe topics and list earliest/latest offsets', async () => {
      await target.createTopic('described', 2)
      const producer = client.producer()
      await producer.send([0, 0, 0, 1].map((partition) => ({ topic: 'described', partition, value: Buffer.from('x') })))
      await producer.close()
      const admin = client.admin()
      const [description] = await admin.describeTopics(['described'])
      assert.deepEqual(description.partitions.map((partition) => partition.partition), [0, 1])
      const requests = [0, 1].flatMap((partition) => (['earliest', 'latest'] as const).map((at) => ({ topic: 'described', partition, at })))
      const offsets = await admin.listOffsets(requests)
      await admin.close()
      const byKey = (partition: number, index: number) => offsets.filter((offset) => offset.partition === partition)[index]?.offset
      assert.deepEqual([byKey(0, 0), byKey(1, 0)].sort(), [0n, 0n])
      assert.deepEqual(offsets.filter((offset) => offset.offset > 0n).map((offset) => [offset.partition, offset.offset]).sort(), [[0, 3n], [1, 1n]])
    })

    test('two group members split partitions; the leader sees userData, members get theirs', { timeout: 60_000 }, async () => {
      await target.createTopic('shared', 4)
      const seenByLeader: string[][] = []
      const received = new Map<string, string | null>()
      const assignor = (name: string): PartitionAssignor => ({
        name: 'tributary-test',
        subscriptionUserData: () => Buffer.from(`hello from ${name}`),
        async assign(context) {
          seenByLeader.push(context.members.map((member) => Buffer.from(member.userData!).toString()).sort())
          const result = await rangeAssignor.assign(context)
          for (const [memberId, assignment] of result) assignment.userData = Buffer.from(`for ${memberId}`)
          return result
        },
        onAssignment(assignment) {
          received.set(name, assignment.userData === null || assignment.userData === undefined ? null : Buffer.from(assignment.userData).toString())
        },
      })
      const options = { groupId: 'split-group', sessionTimeoutMs: target.sessionTimeoutMs, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const }
      const a = client.consumer({ ...options, assignors: [assignor('a')] })
      const b = client.consumer({ ...options, assignors: [assignor('b')] })
      a.subscribe(['shared'])
      b.subscribe(['shared'])
      await pollEachUntil([a, b], () => settled([a, b]), 50_000)
      const owned = [...a.assignment(), ...b.assignment()].map((partition) => partition.partition).sort()
      const memberIds = [a.groupMetadata().memberId, b.groupMetadata().memberId]
      await Promise.all([a.close(), b.close()])
      assert.deepEqual(owned, [0, 1, 2, 3], 'every partition owned exactly once')
      assert.deepEqual(seenByLeader.at(-1), ['hello from a', 'hello from b'])
      assert.equal(received.get('a'), `for ${memberIds[0]}`)
      assert.equal(received.get('b'), `for ${memberIds[1]}`)
    })

    test('a second member triggers a rebalance: revoke all, then assign half', { timeout: 60_000 }, async () => {
      await target.createTopic('rebalanced', 4)
      const events: string[] = []
      const options = { groupId: 'rebalance-group', sessionTimeoutMs: target.sessionTimeoutMs, heartbeatIntervalMs: 300, autoOffsetReset: 'earliest' as const }
      const first = client.consumer(options)
      first.subscribe(['rebalanced'], {
        onPartitionsRevoked: (partitions) => void events.push(`revoked ${partitions.length}`),
        onPartitionsAssigned: (partitions) => void events.push(`assigned ${partitions.length}`),
      })
      const deadline = Date.now() + 50_000
      while (first.assignment().length === 0 && Date.now() < deadline) await first.poll({ timeoutMs: 200 })
      assert.equal(first.assignment().length, 4)
      const second = client.consumer(options)
      second.subscribe(['rebalanced'])
      await pollEachUntil([first, second], () => settled([first, second]), deadline - Date.now())
      await Promise.all([first.close(), second.close()])
      assert.deepEqual(events.slice(0, 3), ['assigned 4', 'revoked 4', 'assigned 2'])
    })

    test('commit, committed offsets, lag, and a restart resumes from the commit', { timeout: 60_000 }, async () => {
      await target.createTopic('committed', 1)
      const producer = client.producer()
      await producer.send(Array.from({ length: 6 }, (_, index) => ({ topic: 'committed', value: Buffer.from(String(index)) })))
      const options = { groupId: 'commit-group', sessionTimeoutMs: target.sessionTimeoutMs, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const, maxPollRecords: 4 }
      const first = client.consumer(options)
      first.subscribe(['committed'])
      const firstBatch = await pollUntil(first, 4, 20_000, 4)
      assert.deepEqual(firstBatch.map((record) => record.offset), [0n, 1n, 2n, 3n])
      await first.commit()
      assert.deepEqual((await first.committed([{ topic: 'committed', partition: 0 }])).map((offset) => offset.offset), [4n])
      const admin = client.admin()
      // Partitions are named: librdkafka's mock answers OffsetFetch for "all topics" (null) with none.
      const partitions = [{ topic: 'committed', partition: 0 }]
      assert.deepEqual((await admin.listGroupOffsets('commit-group', partitions)).map(({ topic, partition, offset }) => ({ topic, partition, offset })), [{ topic: 'committed', partition: 0, offset: 4n }])
      assert.deepEqual((await admin.groupLag('commit-group', partitions)).map((lag) => lag.lag), [2n])
      await first.close()
      const second = client.consumer(options)
      second.subscribe(['committed'])
      const rest = await pollUntil(second, 2, 20_000)
      await second.close()
      await admin.close()
      await producer.close()
      assert.deepEqual(rest.map((record) => record.offset), [4n, 5n])
    })

    test('a Kafka error code surfaces as a typed KafkaProtocolError', { skip: target.injectErrors === undefined ? 'target cannot inject errors' : false, timeout: 60_000 }, async () => {
      await target.createTopic('errors', 1)
      const consumer = client.consumer({ groupId: 'error-group', sessionTimeoutMs: target.sessionTimeoutMs, heartbeatIntervalMs: 500 })
      consumer.assign([{ topic: 'errors', partition: 0 }])
      await target.injectErrors!(8, [25])
      await assert.rejects(consumer.commit([{ topic: 'errors', partition: 0, offset: 1n }]), (error: unknown) => {
        assert.ok(error instanceof KafkaProtocolError)
        assert.equal(error.code, 25)
        assert.equal(error.name, 'UNKNOWN_MEMBER_ID')
        assert.equal(error.retriable, false)
        return true
      })
      await consumer.close()
    })

    test('produce retries a retriable partition error with the same batch, and surfaces a non-retriable one', { skip: target.injectErrors === undefined ? 'target cannot inject errors' : false, timeout: 60_000 }, async () => {
      await target.createTopic('produce-errors', 1)
      const producer = client.producer({ idempotent: true })
      await producer.send([{ topic: 'produce-errors', value: Buffer.from('first') }])
      // NOT_LEADER_OR_FOLLOWER twice: retried (same sequence numbers), then stored once.
      await target.injectErrors!(0, [6, 6])
      const retried = await producer.send([{ topic: 'produce-errors', value: Buffer.from('a') }, { topic: 'produce-errors', value: Buffer.from('b') }])
      assert.deepEqual(retried.map((entry) => entry.offset), [1n, 2n])
      // MESSAGE_TOO_LARGE (10) is not retriable: the send rejects with the code and the partition.
      await target.injectErrors!(0, [10])
      await assert.rejects(producer.send([{ topic: 'produce-errors', value: Buffer.from('refused') }]), (error: unknown) => {
        assert.ok(error instanceof KafkaProtocolError)
        assert.equal(error.code, 10)
        assert.equal(error.topic, 'produce-errors')
        assert.equal(error.partition, 0)
        return true
      })
      // After a failed idempotent send the producer takes a new producer id; sends go on.
      const [next] = await producer.send([{ topic: 'produce-errors', value: Buffer.from('after') }])
      await producer.close()
      assert.equal(next.offset, 3n)
      const consumer = client.consumer()
      consumer.assign([{ topic: 'produce-errors', partition: 0 }])
      await consumer.seekToBeginning([{ topic: 'produce-errors', partition: 0 }])
      const stored = await pollUntil(consumer, 4, 10_000)
      await consumer.close()
      assert.deepEqual(stored.map((record) => record.value!.toString()), ['first', 'a', 'b', 'after'])
    })

    test('bad records are refused with a clear error; the sends batched with them are not lost', async () => {
      await target.createTopic('bad-records', 1)
      const producer = client.producer({ lingerMs: 20 })
      const good = producer.send([{ topic: 'bad-records', value: Buffer.from('good') }])
      for (const timestamp of [-1, 1.5, Number.NaN]) {
        await assert.rejects(producer.send([{ topic: 'bad-records', value: Buffer.from('x') }, { topic: 'bad-records', value: Buffer.from('bad'), timestamp }]), (error: unknown) => {
          assert.ok(error instanceof ClientError)
          assert.equal(error.code, ClientErrorCode.InvalidArgument)
          assert.match(error.message, new RegExp(`record 1 for bad-records: timestamp ${timestamp} is not`))
          return true
        })
      }
      await assert.rejects(producer.send([{ topic: 'bad-records', partition: 3, value: Buffer.from('nowhere') }]), (error: unknown) => {
        assert.ok(error instanceof ClientError)
        assert.equal(error.code, ClientErrorCode.InvalidArgument)
        assert.match(error.message, /partition 3 does not exist in bad-records \(1 partitions\)/)
        return true
      })
      const [stored] = await good
      const [after] = await producer.send([{ topic: 'bad-records', value: Buffer.from('after') }])
      await producer.close()
      assert.deepEqual([stored.offset, after.offset], [0n, 1n])
    })

    test('every compression codec round-trips keys, values, headers and timestamps', async () => {
      for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
        const topic = `compressed-${compression}`
        await target.createTopic(topic, 1)
        const producer = client.producer({ compression })
        const records = Array.from({ length: 50 }, (_, index) => ({
          topic, key: Buffer.from(`key-${index}`), value: Buffer.from(`value-${index}-`.repeat(10)), timestamp: 1_700_000_000_000 + index,
          headers: index % 2 === 0 ? [{ key: 'even', value: Buffer.from('yes') }] : undefined,
        }))
        const metadata = await producer.send(records)
        await producer.close()
        assert.deepEqual(metadata.map((entry) => entry.offset), records.map((_, index) => BigInt(index)), compression)
        const consumer = client.consumer()
        consumer.assign([{ topic, partition: 0 }])
        await consumer.seekToBeginning([{ topic, partition: 0 }])
        const received = await pollUntil(consumer, 50, 10_000)
        await consumer.close()
        assert.deepEqual(received.map((record) => ({ key: record.key!.toString(), value: record.value!.toString(), timestamp: Number(record.timestamp), headers: record.headers.map((header) => `${header.key}=${header.value}`) })),
          records.map((record) => ({ key: record.key.toString(), value: record.value.toString(), timestamp: record.timestamp, headers: record.headers === undefined ? [] : ['even=yes'] })), compression)
      }
    })

    test('idempotent producer gets a producer id and gap-free offsets', async () => {
      await target.createTopic('idempotent', 1)
      const producer = client.producer({ idempotent: true, lingerMs: 5 })
      const sends = await Promise.all(Array.from({ length: 5 }, (_, index) => producer.send([{ topic: 'idempotent', value: Buffer.from(String(index)) }])))
      const identity = producer.producerIdentity
      await producer.close()
      assert.ok(identity !== undefined && identity.producerId >= 0n)
      assert.deepEqual(sends.flat().map((entry) => entry.offset), [0n, 1n, 2n, 3n, 4n])
    })

    test('transactional call sequence, with offsets sent to the transaction', { timeout: 60_000 }, async () => {
      await target.createTopic('txn-in', 1)
      await target.createTopic('txn-out', 1)
      const producer = client.producer({ transactionalId: 'txn-test' })
      await assert.rejects(producer.commitTransaction(), (error: unknown) => error instanceof ClientError && error.code === ClientErrorCode.InvalidState)
      await assert.rejects(producer.send([{ topic: 'txn-out', value: Buffer.from('outside') }]), (error: unknown) => error instanceof ClientError && error.code === ClientErrorCode.InvalidState)
      const consumer = client.consumer({ groupId: 'txn-group', sessionTimeoutMs: target.sessionTimeoutMs, heartbeatIntervalMs: 500, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' })
      consumer.subscribe(['txn-in'])
      await consumer.poll({ timeoutMs: 100 })
      await producer.beginTransaction()
      await assert.rejects(producer.beginTransaction(), (error: unknown) => error instanceof ClientError && error.code === ClientErrorCode.InvalidState)
      const [written] = await producer.send([{ topic: 'txn-out', value: Buffer.from('committed') }])
      assert.equal(written.offset, 0n)
      await producer.sendOffsetsToTransaction([{ topic: 'txn-in', partition: 0, offset: 0n }], consumer.groupMetadata())
      await producer.commitTransaction()
      await producer.beginTransaction()
      await producer.send([{ topic: 'txn-out', value: Buffer.from('aborted') }])
      await producer.abortTransaction()
      await consumer.close()
      await producer.close()
      if (target.enforcesTransactions) {
        const reader = client.consumer({ isolationLevel: 'read_committed' })
        reader.assign([{ topic: 'txn-out', partition: 0 }])
        await reader.seekToBeginning([{ topic: 'txn-out', partition: 0 }])
        const seen = await pollUntil(reader, 1, 5_000)
        await reader.close()
        assert.deepEqual(seen.map((record) => record.value!.toString()), ['committed'])
      }
    })
  })
}

async function pollUntil(consumer: Consumer, count: number, timeoutMs: number, maxRecords?: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll({ timeoutMs: 500, maxRecords: maxRecords ?? count - out.length })))
  return out
}

/** Each consumer polls in its own loop (as separate processes would) until `done` or timeout. */
async function pollEachUntil(consumers: Consumer[], done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  await Promise.all(
    consumers.map(async (consumer) => {
      while (!done() && Date.now() < deadline) await consumer.poll({ timeoutMs: 200 })
    }),
  )
}

/** Every member has partitions and all are in the same generation. */
function settled(consumers: Consumer[]): boolean {
  const generations = new Set(consumers.map((consumer) => consumer.groupMetadata().generationId))
  return generations.size === 1 && consumers.every((consumer) => consumer.assignment().length > 0)
}

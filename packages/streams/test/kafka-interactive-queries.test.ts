// Interactive queries of window and session stores across instances: two KafkaStreams
// instances split the tasks; every key's windows and sessions can be asked of either instance,
// which answers locally or forwards to the owner over HTTP; the answers equal what the input
// implies. Bad query parameters get a 400 naming the problem.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { KafkaStreams, KafkaStreamsState, Serdes, SessionWindows, StreamsBuilder, TimeWindows, type Topology } from '../src/index.ts'
import { eventually, freePort, produce, useKafkaTarget } from './kafka-harness.ts'

const S = Serdes.String()
const encoder = new TextEncoder()
const partitions = 4
const WINDOW_MS = 10_000
const GAP_MS = 5_000
const base = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW_MS)

function topology(): Topology {
  const builder = new StreamsBuilder()
  const clicks = builder.stream<string, string>('iq-clicks', { keySerde: S, valueSerde: S })
  clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS)).count({ storeName: 'clicks-per-window', retentionMs: 3_600_000 })
  clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(GAP_MS)).count({ storeName: 'click-sessions', retentionMs: 3_600_000 })
  return builder.build()
}

const users = Array.from({ length: 8 }, (_, index) => `user-${index}`)
// user-i clicks at base + 1s, +2s, ... (i + 1 clicks), then once more 30 s later: two windows,
// two sessions per user.
const clicksOf = (index: number): number[] => [...Array.from({ length: index + 1 }, (_, n) => base + 1_000 * (n + 1)), base + 30_000 + index]

describe('interactive queries of window and session stores over HTTP', () => {
  const kafkaTarget = useKafkaTarget()

  test('either instance answers for every key, locally or by forwarding to the owner', async (context) => {
    const broker = kafkaTarget(context)
    if (broker === undefined) return
    if (!broker.createsTopics) return context.skip(`${broker.name} cannot create the internal topics`)
    await broker.createTopic('iq-clicks', partitions)
    const instances: KafkaStreams[] = []
    for (let index = 0; index < 2; index++) {
      const streams = new KafkaStreams(topology(), {
        applicationId: 'iq-windows', bootstrapServers: broker.bootstrapServers, applicationServer: `127.0.0.1:${await freePort()}`,
        // No queryableStores: DSL stores declare their key serdes, so they are served over HTTP.
        commitIntervalMs: 200, sessionTimeoutMs: 6_000, logger: { warn: () => undefined },
      })
      context.after(() => streams.close())
      instances.push(streams)
      await streams.start()
    }
    await eventually(() => instances.every((streams) => streams.state === KafkaStreamsState.Running && Object.keys(streams.hosts()).length === 2), 'two instances with one assignment', 40_000)
    assert.ok(instances.every((streams) => streams.metrics().activeTasks > 0), 'both instances host tasks')
    // In timestamp order: with no grace, a click behind its partition's stream time would be late.
    const clicks = users.flatMap((user, index) => clicksOf(index).map((timestamp) => ({ user, timestamp }))).sort((a, b) => a.timestamp - b.timestamp)
    await produce(broker.bootstrapServers, clicks.map(({ user, timestamp }) => ({ topic: 'iq-clicks', key: encoder.encode(user), value: encoder.encode('click'), timestamp: BigInt(timestamp) })))

    for (const [index, user] of users.entries()) {
      const expectedWindows = [{ start: base, end: base + WINDOW_MS, value: index + 1 }, { start: base + 30_000, end: base + 40_000, value: 1 }]
      const expectedSessions = [{ start: base + 1_000, end: base + 1_000 * (index + 1), value: index + 1 }, { start: base + 30_000 + index, end: base + 30_000 + index, value: 1 }]
      for (const streams of instances) {
        await eventually(async () => JSON.stringify(await streams.queryWindows('clicks-per-window', user, S).catch(() => null)) === JSON.stringify(expectedWindows), `${user}'s windows via ${streams.config.applicationServer}`)
        assert.deepEqual(await streams.queryWindows('clicks-per-window', user, S, base + 20_000, base + 40_000), expectedWindows.slice(1))
        assert.deepEqual(await streams.querySessions('click-sessions', user, S), expectedSessions)
      }
      // The same over plain HTTP, asked of the instance that does not own the key.
      const owner = instances[0].queryMetadataForKey('clicks-per-window', user, S).activeHost
      const other = instances.find((streams) => streams.config.applicationServer !== owner)!
      const key = Buffer.from(user).toString('base64url')
      const response = await fetch(`http://${other.config.applicationServer}/v1/stores/clicks-per-window/keys/${key}?from=${base}&to=${base}`)
      assert.deepEqual(await response.json(), { store: 'clicks-per-window', partition: instances[0].queryMetadataForKey('clicks-per-window', user, S).partition, host: owner, windows: expectedWindows.slice(0, 1) })
      const sessions = (await (await fetch(`http://${other.config.applicationServer}/v1/stores/click-sessions/keys/${key}`)).json()) as { host: string; sessions: unknown }
      assert.deepEqual([sessions.host, sessions.sessions], [owner, expectedSessions])
    }

    const bad = await fetch(`http://${instances[0].config.applicationServer}/v1/stores/clicks-per-window/keys/${Buffer.from('user-1').toString('base64url')}?from=yesterday`)
    assert.equal(bad.status, 400)
    assert.match(((await bad.json()) as { error: string }).error, /'from' must be an integer number of epoch milliseconds, got 'yesterday'/)
    await assert.rejects(instances[0].queryWindows('click-sessions', 'user-1', S), /has no windows: it is not a window store/)
  })
})

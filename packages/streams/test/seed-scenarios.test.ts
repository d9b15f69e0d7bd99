// The seed scenarios, end to end through the TopologyTestDriver, as a user would write them.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, TimeWindows, SessionWindows, Suppressed, WindowedSerdes } from '@tributary/streams'
import { TopologyTestDriver, CapturingLogger } from '@tributary/streams/testing'

const S = Serdes.String()
const MINUTE = 60_000
const T0 = 1_700_000_000_000 // aligned to 5 minutes: 1_700_000_000_000 % 300_000 === 200_000, so windows start at T0 - 200_000

describe('seed scenarios', () => {
  test('click enrichment and 5-minute per-user counts', () => {
    interface Click { pageUrl: string; action: string }
    interface Profile { name: string; country: string }
    const builder = new StreamsBuilder()
    const clicks = builder.stream<string, Click>('user-clicks', { keySerde: S, valueSerde: Serdes.Json<Click>() })
    const profiles = builder.table<string, Profile>('user-profiles', { keySerde: S, valueSerde: Serdes.Json<Profile>() })
    const enriched = clicks.leftJoin(profiles, (click, profile) => ({ ...click, userName: profile?.name ?? 'unknown', country: profile?.country ?? '??' }))
    enriched.to('enriched-clicks', { valueSerde: Serdes.Json() })
    enriched.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(5 * MINUTE, MINUTE)).count({ storeName: 'user-metrics-store' }).toStream().to('user-metrics')
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    driver.createInputTopic('user-profiles', S, Serdes.Json<Profile>()).pipeInput('alice', { name: 'Alice', country: 'FR' }, T0 - MINUTE)
    const input = driver.createInputTopic('user-clicks', S, Serdes.Json<Click>())
    const windowStart = T0 - 200_000
    input.pipeInput('alice', { pageUrl: '/a', action: 'view' }, T0)
    input.pipeInput('bob', { pageUrl: '/b', action: 'view' }, T0 + 10_000)
    input.pipeInput('alice', { pageUrl: '/c', action: 'buy' }, windowStart + 5 * MINUTE + 1000) // next window
    input.pipeInput('alice', { pageUrl: '/late-ok', action: 'view' }, T0 + 20_000) // out of order, within grace
    input.pipeInput('alice', { pageUrl: '/x', action: 'view' }, windowStart + 6 * MINUTE + 1) // closes the first window
    input.pipeInput('alice', { pageUrl: '/too-late', action: 'view' }, T0 + 30_000)

    const enrichedRows = driver.createOutputTopic('enriched-clicks', S, Serdes.Json<{ pageUrl: string; userName: string; country: string }>()).readValuesToList()
    assert.deepEqual(enrichedRows.map((row) => `${row?.pageUrl}:${row?.userName}:${row?.country}`), ['/a:Alice:FR', '/b:unknown:??', '/c:Alice:FR', '/late-ok:Alice:FR', '/x:Alice:FR', '/too-late:Alice:FR'])
    const metrics = driver.createOutputTopic('user-metrics', WindowedSerdes.timeWindowedSerdeFrom(S, 5 * MINUTE), Serdes.Long()).readRecordsToList()
    assert.deepEqual(metrics.map((r) => [r.key?.key, r.key!.window.startMs - windowStart, r.value]), [
      ['alice', 0, 1], ['bob', 0, 1], ['alice', 5 * MINUTE, 1], ['alice', 0, 2], ['alice', 5 * MINUTE, 2],
    ])
    assert.equal(driver.droppedRecords()['expired-window'], 1)
    assert.deepEqual(driver.getWindowStore<string, number>('user-metrics-store').fetch('alice', windowStart, windowStart + 10 * MINUTE), [
      { timestamp: windowStart, value: 2 }, { timestamp: windowStart + 5 * MINUTE, value: 2 },
    ])
  })

  test('page views per page per minute, with an alert when a page exceeds a threshold', () => {
    const threshold = 3
    const builder = new StreamsBuilder()
    const perMinute = builder.stream<string, { page: string }>('page-views', { keySerde: S, valueSerde: Serdes.Json() })
      .groupBy((_user, view) => view.page, { keySerde: S, name: 'views-by-page' })
      .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
      .count()
      .toStream()
    perMinute.to('page-views-per-minute')
    perMinute
      .filter((_page, count) => count === threshold + 1)
      .map((page, count) => ({ key: page.key, value: { page: page.key, windowStartMs: page.window.startMs, count, threshold } }))
      .to('page-alerts', { keySerde: S, valueSerde: Serdes.Json() })
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'pages', logger: new CapturingLogger() })
    const views = driver.createInputTopic('page-views', S, Serdes.Json<{ page: string }>())
    const minute = Math.floor(T0 / MINUTE) * MINUTE
    for (let index = 0; index < 5; index++) views.pipeInput(`user-${index}`, { page: '/home' }, minute + index * 1000)
    views.pipeInput('user-9', { page: '/about' }, minute + 6000)
    for (let index = 0; index < 5; index++) views.pipeInput(`user-${index}`, { page: '/home' }, minute + MINUTE + index)
    const alerts = driver.createOutputTopic('page-alerts', S, Serdes.Json<{ page: string; windowStartMs: number; count: number }>()).readValuesToList()
    assert.deepEqual(alerts, [
      { page: '/home', windowStartMs: minute, count: 4, threshold },
      { page: '/home', windowStartMs: minute + MINUTE, count: 4, threshold },
    ])
    const counts = driver.createOutputTopic('page-views-per-minute', WindowedSerdes.timeWindowedSerdeFrom(S, MINUTE), Serdes.Long()).readKeyValuesToList()
    assert.equal(counts.length, 11)
    assert.deepEqual(counts.filter((kv) => kv.key?.key === '/about').map((kv) => kv.value), [1])
    assert.ok(driver.producedTopicNames().has('pages-views-by-page-repartition'))
  })

  test('30-minute-gap user sessions with final results only', () => {
    const gap = 30 * MINUTE
    const builder = new StreamsBuilder()
    builder.stream<string, string>('activity', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(gap))
      .aggregate(() => [] as string[], (_user, page, pages) => [...pages, page], (_user, left, right) => [...left, ...right], { valueSerde: Serdes.Json<string[]>(), storeName: 'sessions' })
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('user-sessions')
    const driver = new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
    const activity = driver.createInputTopic('activity', S, S)
    activity.pipeInput('ann', '/a', T0)
    activity.pipeInput('ann', '/b', T0 + 20 * MINUTE)
    activity.pipeInput('ann', '/c', T0 + 45 * MINUTE)
    activity.pipeInput('ann', '/d', T0 + 2 * 60 * MINUTE) // a new session: the first one ends at +45 min
    activity.pipeInput('bob', '/z', T0 + 3 * 60 * MINUTE) // advances stream time past +45 + 30 min
    const sessions = driver.createOutputTopic('user-sessions', WindowedSerdes.sessionWindowedSerdeFrom(S), Serdes.Json<string[]>()).readRecordsToList()
    assert.deepEqual(sessions.map((r) => [r.key?.key, r.key!.window.startMs - T0, r.key!.window.endMs - T0, r.value]), [
      ['ann', 0, 45 * MINUTE, ['/a', '/b', '/c']],
      ['ann', 120 * MINUTE, 120 * MINUTE, ['/d']],
    ])
  })

  test('checkout funnel: distinct users per step per 5 minutes', () => {
    // Key by step and carry the user in the value, so the window aggregate can collect distinct users.
    const funnel = new StreamsBuilder()
    funnel.stream<string, { step: string }>('checkout-events', { keySerde: S, valueSerde: Serdes.Json() })
      .map((user, event) => ({ key: event.step, value: user }))
      .groupByKey({ keySerde: S, valueSerde: S, name: 'funnel' })
      .windowedBy(TimeWindows.ofSizeWithNoGrace(5 * MINUTE))
      .aggregate(() => [] as string[], (_step, user, users) => (users.includes(user) ? users : [...users, user]), { valueSerde: Serdes.Json<string[]>(), storeName: 'funnel-users' })
      .suppress(Suppressed.untilWindowCloses())
      .mapValues((users) => users.length)
      .toStream()
      .to('funnel-distinct-users', { valueSerde: Serdes.Int() })
    const driver = new TopologyTestDriver(funnel.build(), { logger: new CapturingLogger() })
    const events = driver.createInputTopic('checkout-events', S, Serdes.Json<{ step: string }>())
    const windowStart = Math.floor(T0 / (5 * MINUTE)) * 5 * MINUTE
    const steps: Array<[string, string, number]> = [
      ['u1', 'cart', 0], ['u2', 'cart', 1000], ['u1', 'cart', 2000], ['u3', 'cart', 3000],
      ['u1', 'payment', 4000], ['u2', 'payment', 5000], ['u1', 'payment', 6000],
      ['u1', 'confirmed', 7000],
    ]
    for (const [user, step, offsetMs] of steps) events.pipeInput(user, { step }, windowStart + offsetMs)
    events.pipeInput('u9', { step: 'cart' }, windowStart + 5 * MINUTE) // closes the first window
    const rows = driver.createOutputTopic('funnel-distinct-users', WindowedSerdes.timeWindowedSerdeFrom(S, 5 * MINUTE), Serdes.Int()).readKeyValuesToList()
    assert.deepEqual(rows.map((kv) => [kv.key?.key, kv.key!.window.startMs - windowStart, kv.value]), [['cart', 0, 3], ['payment', 0, 2], ['confirmed', 0, 1]])
  })
})

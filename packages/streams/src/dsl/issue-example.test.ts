// The example from the issue, verbatim in shape: click enrichment and 5-minute per-user counts,
// plus the describe() output and internal topic names of a DSL topology.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, TimeWindows, WindowedSerdes } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

interface Click { pageUrl: string; action: string }
interface Profile { name: string; country: string }

function build() {
  const builder = new StreamsBuilder()
  const clicks = builder.stream<string, Click>('user-clicks', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Click>() })
  const profiles = builder.table<string, Profile>('user-profiles', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Profile>() })
  const enriched = clicks.join(profiles, (click, profile) => ({ ...click, userName: profile.name, country: profile.country }))
  enriched.to('enriched-clicks', { valueSerde: Serdes.Json() })
  enriched.groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(5 * 60_000))
    .count({ storeName: 'user-metrics-store' })
    .toStream()
    .to('user-metrics')
  return builder
}

test('issue example: enrichment, 5-minute counts, window store queries', () => {
  const driver = new TopologyTestDriver(build().build(), { logger: new CapturingLogger() })
  const t0 = 1_690_000_000_000 // 2023-07-22T04:26:40Z; the 5-minute window starts at 1_689_999_900_000
  driver.createInputTopic('user-profiles', Serdes.String(), Serdes.Json<Profile>()).pipeInput('alice123', { name: 'Alice', country: 'NZ' }, t0 - 1000)
  const input = driver.createInputTopic('user-clicks', Serdes.String(), Serdes.Json<Click>())
  input.pipeInput('alice123', { pageUrl: '/products/123', action: 'view' }, t0)
  input.pipeInput('alice123', { pageUrl: '/cart', action: 'add' }, t0 + 60_000)
  input.pipeInput('nobody', { pageUrl: '/', action: 'view' }, t0 + 61_000)

  const enriched = driver.createOutputTopic('enriched-clicks', Serdes.String(), Serdes.Json<Click & { userName: string }>()).readKeyValuesToList()
  assert.deepEqual(enriched.map((kv) => [kv.key, kv.value?.pageUrl, kv.value?.userName]), [['alice123', '/products/123', 'Alice'], ['alice123', '/cart', 'Alice']])

  const metrics = driver.createOutputTopic('user-metrics', WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 5 * 60_000), Serdes.Long()).readRecordsToList()
  const windowStart = 1_689_999_900_000
  assert.deepEqual(metrics.map((r) => [r.key?.key, r.key?.window.startMs, r.key?.window.endMs, r.value, r.timestamp]), [
    ['alice123', windowStart, windowStart + 300_000, 1, t0],
    ['alice123', windowStart, windowStart + 300_000, 2, t0 + 60_000],
  ])
  const fetched = driver.getWindowStore<string, number>('user-metrics-store').fetch('alice123', t0 - 600_000, t0 + 600_000)
  assert.deepEqual(fetched, [{ timestamp: windowStart, value: 2 }])
  assert.deepEqual(driver.changelogTopics(), new Map([
    ['user-profiles-STATE-STORE-0000000001', 'test-application-user-profiles-STATE-STORE-0000000001-changelog'],
    ['user-metrics-store', 'test-application-user-metrics-store-changelog'],
  ]))
})

test('issue example: describe() shows one sub-topology joined through the table store', () => {
  const text = build().build().describe().toString()
  assert.equal(text, `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [user-clicks])
      --> KSTREAM-JOIN-0000000004
    Source: KSTREAM-SOURCE-0000000002 (topics: [user-profiles])
      --> KTABLE-SOURCE-0000000003
    Processor: KTABLE-SOURCE-0000000003 (stores: [user-profiles-STATE-STORE-0000000001])
      --> none
      <-- KSTREAM-SOURCE-0000000002
    Processor: KSTREAM-JOIN-0000000004 (stores: [user-profiles-STATE-STORE-0000000001])
      --> KSTREAM-SINK-0000000005, KSTREAM-AGGREGATE-0000000006
      <-- KSTREAM-SOURCE-0000000000
    Sink: KSTREAM-SINK-0000000005 (topic: enriched-clicks)
      <-- KSTREAM-JOIN-0000000004
    Processor: KSTREAM-AGGREGATE-0000000006 (stores: [user-metrics-store])
      --> KTABLE-TOSTREAM-0000000007
      <-- KSTREAM-JOIN-0000000004
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000006
    Sink: KSTREAM-SINK-0000000008 (topic: user-metrics)
      <-- KTABLE-TOSTREAM-0000000007
`)
})

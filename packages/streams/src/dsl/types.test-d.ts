/* eslint-disable @typescript-eslint/no-unused-vars -- type tests bind values only to inspect their types */
// Type-level tests of the DSL generics, checked by `npm run typecheck` (tsc), never executed:
// each `@ts-expect-error` line must fail to compile, each assertion must hold.
import { StreamsBuilder, Serdes, TimeWindows, SessionWindows, JoinWindows, type KStream, type KTable, type Windowed, type GlobalKTable } from '../index.ts'
import { TopologyTestDriver } from '../testing/index.ts'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(_proof?: T): void {}

interface Click { pageUrl: string; action: string }
interface Profile { name: string; country: string }

export function typeTests(): void {
  const builder = new StreamsBuilder()
  const clicks = builder.stream<string, Click>('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Click>() })
  const profiles = builder.table<string, Profile>('profiles', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Profile>() })

  // mapValues infers the new value type; the key stays.
  const lengths = clicks.mapValues((click) => click.pageUrl.length)
  assertType<Equal<typeof lengths, KStream<string, number>>>()
  // map changes both.
  const swapped = clicks.map((key, click) => ({ key: click.action, value: key.length }))
  assertType<Equal<typeof swapped, KStream<string, number>>>()
  // selectKey changes the key only.
  assertType<Equal<ReturnType<typeof clicks.selectKey<number>>, KStream<number, Click>>>()

  // Stream-table join: the joiner sees both value types; the result keeps the stream key.
  const enriched = clicks.join(profiles, (click, profile) => ({ ...click, userName: profile.name }))
  assertType<Equal<typeof enriched, KStream<string, { userName: string; pageUrl: string; action: string }>>>()
  // Left join: the table value may be null.
  clicks.leftJoin(profiles, (_click, profile) => {
    assertType<Equal<typeof profile, Profile | null>>()
    return 0
  })
  // @ts-expect-error a table keyed by number cannot join a stream keyed by string
  clicks.join(builder.table<number, Profile>('by-number'), (click: Click) => click)

  // Stream-stream outer join: both sides nullable.
  const views = builder.stream<string, number>('views')
  const outer = clicks.outerJoin(views, (click, view) => `${click?.pageUrl}:${view ?? 0}`, JoinWindows.ofTimeDifferenceWithNoGrace(1000))
  assertType<Equal<typeof outer, KStream<string, string>>>()

  // GlobalKTable join through a derived key.
  const countries: GlobalKTable<string, string> = builder.globalTable<string, string>('countries')
  const withCountry = clicks.join(countries, (_key, click) => click.action, (click, country) => `${click.pageUrl}@${country}`)
  assertType<Equal<typeof withCountry, KStream<string, string>>>()
  // @ts-expect-error the key selector must return the global table's key type
  clicks.join(countries, (_key, click) => click.pageUrl.length, (click: Click) => click)

  // Windowed counts are keyed by Windowed<K> and count in numbers.
  const counts = clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()
  assertType<Equal<typeof counts, KTable<Windowed<string>, number>>>()
  const sessions = clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1000)).aggregate(() => [] as string[], (_k, click, list) => [...list, click.pageUrl], (_k, a, b) => [...a, ...b])
  assertType<Equal<typeof sessions, KTable<Windowed<string>, string[]>>>()
  // @ts-expect-error an aggregator must return the aggregate type
  clicks.groupByKey().aggregate(() => 0, (_key, click) => click.pageUrl)

  // groupBy re-keys; reduce keeps the value type.
  const byPage = clicks.groupBy((_key, click) => click.pageUrl).reduce((a, b) => (a.action < b.action ? a : b))
  assertType<Equal<typeof byPage, KTable<string, Click>>>()

  // Table-table and foreign-key joins.
  const table = profiles.join(profiles, (a, b) => a.name + b.country)
  assertType<Equal<typeof table, KTable<string, string>>>()
  const fk = builder.table<string, { profileId: string }>('orders').leftJoin(profiles, (order) => order.profileId, (order, profile) => profile?.name ?? order.profileId)
  assertType<Equal<typeof fk, KTable<string, string>>>()
  // toStream of a table carries nullable values (tombstones).
  const changelog = table.toStream()
  assertType<Equal<typeof changelog, KStream<string, string | null>>>()

  // The driver's typed topics.
  const driver = new TopologyTestDriver(builder.build())
  const input = driver.createInputTopic('clicks', Serdes.String(), Serdes.Json<Click>())
  // @ts-expect-error values must match the topic's value type
  input.pipeInput('k', { pageUrl: 1 }, 0)
  const value = driver.createOutputTopic('out', Serdes.String(), Serdes.Long()).readValue()
  assertType<Equal<typeof value, number | null>>()
}

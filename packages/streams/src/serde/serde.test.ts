// Serdes round-trip (property-based), keep Kafka's wire layouts, and map null to null.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Serdes, type Serde } from './serde.ts'
import { WindowedSerdes } from './windowed-serde.ts'
import { changeSerde } from './change-serde.ts'
import { Window, Windowed } from '../state/windowed.ts'

function roundTrip<T>(serde: Serde<T>, value: T): T | null {
  return serde.deserialize('topic', serde.serialize('topic', value))
}

test('property: every serde round-trips its values; null stays null', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => assert.equal(roundTrip(Serdes.String(), text), text)))
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (text) => assert.equal(roundTrip(Serdes.String(), text), text)))
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => assert.equal(roundTrip(Serdes.Int(), value), value)))
  fc.assert(fc.property(fc.maxSafeInteger(), (value) => assert.equal(roundTrip(Serdes.Long(), value), value)))
  fc.assert(fc.property(fc.double({ noNaN: true }), (value) => assert.equal(roundTrip(Serdes.Double(), value), value)))
  fc.assert(fc.property(fc.jsonValue(), (value) => assert.deepEqual(roundTrip(Serdes.Json(), value), JSON.parse(JSON.stringify(value)))))
  for (const serde of [Serdes.String(), Serdes.Int(), Serdes.Long(), Serdes.Double(), Serdes.Json(), Serdes.Bytes(), Serdes.Void()] as Serde<unknown>[]) {
    assert.equal(serde.serialize('t', null), null)
    assert.equal(serde.deserialize('t', null), null)
  }
})

test('String serde writes UTF-8, Long serde writes 8 big-endian bytes', () => {
  assert.deepEqual([...Serdes.String().serialize('t', 'é')!], [0xc3, 0xa9])
  assert.deepEqual([...Serdes.String().serialize('t', 'ab')!], [0x61, 0x62])
  assert.deepEqual([...Serdes.Long().serialize('t', 258)!], [0, 0, 0, 0, 0, 0, 1, 2])
  assert.throws(() => Serdes.String().deserialize('t', new Uint8Array([0xff])), TypeError)
  assert.throws(() => Serdes.Long().deserialize('t', new Uint8Array(4)), RangeError)
})

test('windowed serdes use Kafka layouts: key + start, or key + end + start', () => {
  const key = new Windowed('k', new Window(1000, 2000))
  const timeBytes = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 1000).serialize('t', key)!
  assert.deepEqual([...timeBytes], [0x6b, 0, 0, 0, 0, 0, 0, 0x03, 0xe8])
  const back = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 1000).deserialize('t', timeBytes)!
  assert.deepEqual([back.key, back.window.startMs, back.window.endMs], ['k', 1000, 2000])
  const sessionSerde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String())
  const sessionBytes = sessionSerde.serialize('t', key)!
  assert.equal(sessionBytes.byteLength, 17)
  const session = sessionSerde.deserialize('t', sessionBytes)!
  assert.deepEqual([session.key, session.window.startMs, session.window.endMs], ['k', 1000, 2000])
})

test('property: table changes round-trip through the repartition serde', () => {
  const serde = changeSerde(Serdes.String())
  const value = fc.option(fc.string({ maxLength: 20 }), { nil: null })
  fc.assert(fc.property(value, value, (newValue, oldValue) => assert.deepEqual(serde.deserialize('t', serde.serialize('t', { newValue, oldValue })), { newValue, oldValue })))
})

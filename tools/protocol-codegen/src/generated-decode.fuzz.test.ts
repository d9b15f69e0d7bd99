// Hostile input to every generated decoder, at every version: random bytes, every truncation of a
// valid message, and random byte mutations. The only acceptable failure is ProtocolDecodeError —
// never RangeError or TypeError, never a hang, never a huge allocation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as protocol from '@tributary/protocol'
import { loadSpecs } from './generate.ts'
import { protocolDir } from './paths.ts'
import { sampleMessage, versionsOf } from './sample-message.ts'

const { specs } = loadSpecs(protocolDir())
const codecs = protocol as unknown as Record<string, protocol.MessageCodec<unknown>>
// A decode of these small inputs takes microseconds; the limit only catches hangs and blow-ups,
// with room for GC pauses and a machine shared with other test processes.
const maxDecodeMs = 1000

/** Decodes `bytes`; returns normally on success or ProtocolDecodeError, fails the test otherwise. */
function decodeSafely(codec: protocol.MessageCodec<unknown>, bytes: Uint8Array, version: number, what: string): boolean {
  const started = performance.now()
  try {
    codec.decode(bytes, version)
    return true
  } catch (error) {
    if (!(error instanceof protocol.ProtocolDecodeError)) {
      assert.fail(`${codec.name} v${version} ${what}: threw ${(error as Error)?.name}: ${(error as Error)?.message}`)
    }
    return false
  } finally {
    const elapsedMs = performance.now() - started
    assert.ok(elapsedMs < maxDecodeMs, `${codec.name} v${version} ${what}: took ${elapsedMs.toFixed(1)} ms`)
  }
}

test('random bytes make every decoder either succeed or throw ProtocolDecodeError', () => {
  let decodes = 0
  for (const spec of specs) {
    const codec = codecs[spec.name]
    for (const version of versionsOf(spec)) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        decodeSafely(codec, bytes, version, 'random bytes')
        decodes++
      }), { numRuns: 25, seed: version * 7919 + (spec.apiKey ?? 99) })
      // Huge claimed lengths (0x7fffffff / max varint) right at the start.
      decodeSafely(codec, new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]), version, 'huge lengths')
      decodeSafely(codec, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f]), version, 'huge varints')
    }
  }
  assert.ok(decodes > 1000)
})

test('every truncation of a valid message is a ProtocolDecodeError', () => {
  for (const spec of specs) {
    const codec = codecs[spec.name]
    for (const version of versionsOf(spec)) {
      const bytes = codec.encode(sampleMessage(spec, version, 'values'), version).slice()
      const step = Math.max(1, Math.floor(bytes.length / 64))
      for (let length = 0; length < bytes.length; length += step) {
        const decoded = decodeSafely(codec, bytes.subarray(0, length), version, `truncated to ${length}/${bytes.length}`)
        assert.equal(decoded, false, `${spec.name} v${version} decoded a truncated input of ${length}/${bytes.length} bytes`)
      }
    }
  }
})

test('random byte mutations of valid messages decode or throw ProtocolDecodeError', () => {
  for (const spec of specs) {
    const codec = codecs[spec.name]
    for (const version of versionsOf(spec)) {
      const bytes = codec.encode(sampleMessage(spec, version, 'values'), version).slice()
      if (bytes.length === 0) continue
      const mutation = fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
      fc.assert(fc.property(mutation, (changes) => {
        const mutated = bytes.slice()
        for (const [index, value] of changes) mutated[index] = value
        decodeSafely(codec, mutated, version, `mutated at ${changes.map(([index]) => index).join(',')}`)
      }), { numRuns: 20, seed: version * 104729 + (spec.apiKey ?? 99) })
    }
  }
})

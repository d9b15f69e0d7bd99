import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { crc32c, crc32cImplementation, crc32cPortable, nativeCrc32c } from './crc32c.ts'

/** Bit-at-a-time reference: slow, obviously right. */
function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

// Every test runs against the dispatching `crc32c` (native for large inputs when @node-rs/crc32
// loads) and against the portable TypeScript code alone, so the fallback stays tested.
const implementations = [
  { name: `crc32c (large inputs: ${crc32cImplementation})`, crc32c },
  { name: 'crc32cPortable', crc32c: crc32cPortable },
]

for (const implementation of implementations) describe(implementation.name, () => {
  const { crc32c } = implementation

  test('check value of "123456789" is 0xE3069283', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283)
  })

  test('RFC 3720 (iSCSI) appendix B.4 vectors', () => {
    const ascending = Uint8Array.from({ length: 32 }, (_, i) => i)
    const descending = Uint8Array.from({ length: 32 }, (_, i) => 31 - i)
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa, '32 bytes of zeroes')
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43, '32 bytes of ones')
    assert.equal(crc32c(ascending), 0x46dd794e, '32 incrementing bytes')
    assert.equal(crc32c(descending), 0x113fdb5c, '32 decrementing bytes')
    // An iSCSI SCSI Read (10) command PDU.
    const readPdu = new Uint8Array(48)
    readPdu.set([0x01, 0xc0], 0)
    readPdu.set([0x14], 16)
    readPdu.set([0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28], 20)
    readPdu.set([0x02], 40)
    assert.equal(crc32c(readPdu), 0xd9963a56, 'iSCSI read PDU')
  })

  test('empty input is 0 and an unchanged initial value', () => {
    assert.equal(crc32c(new Uint8Array(0)), 0)
    assert.equal(crc32c(new Uint8Array(0), 0x12345678), 0x12345678)
  })

  test('matches the bitwise reference for any bytes, offset and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(7), (data, shift) => {
        // Copy at an odd byteOffset to exercise the alignment prologue of the word path.
        const backing = new Uint8Array(data.length + 8)
        backing.set(data, shift)
        const view = backing.subarray(shift, shift + data.length)
        assert.equal(crc32c(view), referenceCrc32c(data))
      }),
    )
  })

  test('chaining: crc32c(a ++ b) === crc32c(b, crc32c(a)), and ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length)
        joined.set(a)
        joined.set(b, a.length)
        assert.equal(crc32c(b, crc32c(a)), crc32c(joined))
        assert.equal(crc32c(joined, 0, a.length, joined.length), crc32c(b))
      }),
    )
  })

  test('rejects a range outside the input', () => {
    assert.throws(() => crc32c(new Uint8Array(4), 0, 2, 5), RangeError)
  })

  test('large inputs (the native path when loaded) match the bitwise reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 400, maxLength: 5000 }), fc.nat(7), fc.nat(), (data, shift, split) => {
        const view = data.subarray(shift)
        assert.equal(crc32c(view), referenceCrc32c(view))
        const cut = split % (view.length + 1)
        assert.equal(crc32c(view, crc32c(view, 0, 0, cut), cut, view.length), referenceCrc32c(view))
      }),
      { numRuns: 50 },
    )
  })
})

test('the native addon, when present, agrees with the portable code', (context) => {
  if (nativeCrc32c === undefined) {
    context.skip('@node-rs/crc32 is not installed for this platform')
    return
  }
  const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24)
  assert.equal(nativeCrc32c(data), crc32cPortable(data))
  assert.equal(nativeCrc32c(data.subarray(3), 0x1234abcd), crc32cPortable(data, 0x1234abcd, 3))
})

test('TRIBUTARY_CRC32C=portable selects the portable code', () => {
  const script = `import('${new URL('./crc32c.ts', import.meta.url).href}').then((m) => process.stdout.write(m.crc32cImplementation + ' ' + m.crc32c(new TextEncoder().encode('123456789'.repeat(100))).toString(16)))`
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TRIBUTARY_CRC32C: 'portable' }, encoding: 'utf8' })
  const expected = crc32cPortable(new TextEncoder().encode('123456789'.repeat(100))).toString(16)
  assert.equal(output, `portable ${expected}`)
})

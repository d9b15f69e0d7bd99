// The proxy patches ports by hand; our generated codecs build and read the test messages, so
// each side checks the other.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FindCoordinatorResponse, MetadataResponse, Writer, writeResponseHeader, Reader, readResponseHeader } from '@tributary/protocol'
import { rewriteAdvertisedPorts } from './address-rewrite.ts'

const portMap = new Map([[19092, 40001], [19093, 40002]])

function frame(apiKey: number, version: number, write: (writer: Writer) => void): Buffer {
  const writer = new Writer()
  writeResponseHeader(writer, 7, apiKey, version)
  write(writer)
  return Buffer.from(writer.finish())
}

function body(bytes: Buffer, apiKey: number, version: number): Uint8Array {
  const reader = new Reader(bytes)
  readResponseHeader(reader, apiKey, version)
  return bytes.subarray(reader.offset)
}

const broker = (nodeId: number, port: number) => ({ nodeId, host: '127.0.0.1', port, rack: nodeId === 2 ? 'rack-b' : null })
const metadata: MetadataResponse = {
  throttleTimeMs: 0, brokers: [broker(1, 19092), broker(2, 19093), broker(3, 5555)], clusterId: 'c', controllerId: 1,
  topics: [], clusterAuthorizedOperations: -2147483648,
}

for (const version of [0, 1, 2, 3, 8, 9, 12]) {
  test(`Metadata v${version}: advertised ports of fronted brokers are rewritten, others kept`, () => {
    const original = frame(3, version, (writer) => MetadataResponse.write(writer, metadata, version))
    const rewritten = rewriteAdvertisedPorts(original, 3, version, version >= 9, portMap)
    assert.equal(rewritten.length, original.length)
    const decoded = MetadataResponse.decode(body(rewritten, 3, version), version)
    assert.deepEqual(decoded.brokers.map((entry) => entry.port), [40001, 40002, 5555])
    assert.equal(MetadataResponse.decode(body(original, 3, version), version).brokers[0].port, 19092, 'the original is untouched')
  })
}

for (const version of [0, 1, 2, 3, 4, 6]) {
  test(`FindCoordinator v${version}: the coordinator's port is rewritten`, () => {
    // v0-3 carry one coordinator at top level, v4+ a list (fields outside a version keep defaults).
    const response: FindCoordinatorResponse = version < 4
      ? { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 2, host: '127.0.0.1', port: 19093, coordinators: [] }
      : {
          throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0,
          coordinators: [{ key: 'group-a', nodeId: 2, host: '127.0.0.1', port: 19093, errorCode: 0, errorMessage: null }],
        }
    const original = frame(10, version, (writer) => FindCoordinatorResponse.write(writer, response, version))
    const decoded = FindCoordinatorResponse.decode(body(rewriteAdvertisedPorts(original, 10, version, version >= 3, portMap), 10, version), version)
    assert.equal(version >= 4 ? decoded.coordinators[0].port : decoded.port, 40002)
  })
}

test('other APIs pass through as the same buffer', () => {
  const bytes = Buffer.from([0, 0, 0, 7, 0, 0])
  assert.equal(rewriteAdvertisedPorts(bytes, 18, 0, false, portMap), bytes)
})

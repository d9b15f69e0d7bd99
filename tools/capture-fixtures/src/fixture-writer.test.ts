import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadApiCatalog, stripComments } from './api-catalog.ts'
import { selectExemplars } from './fixture-writer.ts'
import type { Exchange } from './recording-proxy.ts'

const catalog = loadApiCatalog()

const exchange = (apiKey: number, apiVersion: number, label: string, responseBytes: number | undefined, correlationId = 1): Exchange => ({
  connectionId: 1, apiKey, apiVersion, correlationId, label,
  request: Buffer.alloc(8), response: responseBytes === undefined ? undefined : Buffer.alloc(responseBytes),
})

test('the catalog names APIs from the specs, kebab-case, with their first flexible version', () => {
  assert.deepEqual(catalog.get(22), { apiKey: 22, name: 'InitProducerId', fileName: 'init-producer-id', firstFlexibleVersion: 2 })
  assert.equal(catalog.get(0)?.fileName, 'produce')
  assert.equal(stripComments('// a "quoted" comment\n{"a": "http://x"} // tail'), '\n{"a": "http://x"} \n')
})

test('one exemplar per api × version; codec label only for Produce and Fetch; fullest Fetch kept', () => {
  const fixtures = selectExemplars([
    exchange(3, 2, 'gzip', 40, 1), exchange(3, 2, 'none', 50, 2),
    exchange(0, 7, 'gzip', 30), exchange(0, 7, 'lz4', 30), exchange(0, 7, 'lz4', 31, 9),
    exchange(1, 11, 'gzip', 100, 3), exchange(1, 11, 'gzip', 900, 4), exchange(1, 11, 'gzip', 5000, 5),
    exchange(0, 7, 'zstd', undefined), // acks=0: no response, not a fixture
  ], { client: 'c', clientVersion: 'v', broker: 'b', catalog, responseBytesMax: 1000 })
  assert.deepEqual(fixtures.map((fixture) => fixture.baseName), ['fetch-v11-gzip', 'metadata-v2', 'produce-v7-gzip', 'produce-v7-lz4'])
  assert.equal(fixtures[0].metadata.correlationId, 4, 'the largest Fetch response under the size cap')
  assert.equal(fixtures[1].metadata.correlationId, 1, 'otherwise the first')
  assert.equal(fixtures[3].metadata.correlationId, 1)
})

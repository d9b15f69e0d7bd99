// The proxy between kcat and refbroker (both real): every request of a produce and a consume
// goes through it, paired with its response, because Metadata now advertises the proxy.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadApiCatalog } from './api-catalog.ts'
import { startRecordingProxy } from './recording-proxy.ts'
import { ensureRefbroker, startRefbroker } from '@tributary/testing'
import { commandExists, run } from '../../../tests/compat/support/process.ts'

const refbrokerFound = ensureRefbroker()
const skip = 'unavailable' in refbrokerFound ? refbrokerFound.unavailable : commandExists('kcat') ? undefined : 'kcat is not installed'

test('kcat produces and consumes through the proxy, and every exchange is recorded', { skip, timeout: 60_000 }, async () => {
  const refbroker = await startRefbroker({ brokers: 2, topics: [{ name: 'proxied', partitions: 2 }] })
  const proxy = await startRecordingProxy({ upstreams: refbroker.brokers, catalog: loadApiCatalog() })
  try {
    const { stdout } = await run('kcat', ['-b', proxy.bootstrap, '-L', '-J'], { timeoutMs: 20_000 })
    const advertised = (JSON.parse(stdout) as { brokers: { name: string }[] }).brokers.map((broker) => broker.name).sort()
    assert.deepEqual(advertised, proxy.bootstrap.split(',').sort(), 'Metadata advertises the proxy listeners')
    proxy.label = 'produce'
    await run('kcat', ['-b', proxy.bootstrap, '-P', '-t', 'proxied', '-K', ':'], { input: 'a:1\nb:2\nc:3\n', timeoutMs: 20_000 })
    const { stdout: consumed } = await run('kcat', ['-b', proxy.bootstrap, '-C', '-t', 'proxied', '-o', 'beginning', '-e', '-f', '%k=%s\\n'], { timeoutMs: 20_000 })
    assert.deepEqual(consumed.trim().split('\n').sort(), ['a=1', 'b=2', 'c=3'])
    const apiKeys = new Set(proxy.exchanges.map((exchange) => exchange.apiKey))
    for (const apiKey of [18, 3, 0, 2, 1]) assert.ok(apiKeys.has(apiKey), `api key ${apiKey} recorded`)
    const produce = proxy.exchanges.filter((exchange) => exchange.apiKey === 0)
    assert.ok(produce.length > 0 && produce.every((exchange) => exchange.label === 'produce' && exchange.response !== undefined))
    for (const exchange of proxy.exchanges.filter((entry) => entry.response)) {
      assert.equal(exchange.response!.readInt32BE(0), exchange.correlationId, 'responses pair with their requests')
    }
  } finally {
    await proxy.close()
    await refbroker.close()
  }
})

// Re-records the golden protocol fixtures: for each client, start refbroker, put the recording
// proxy in front of it, drive the real client through a few scenarios (metadata, produce and
// fetch with every compression codec, a consumer group, an idempotent producer) and write one
// exemplar per api × version (× codec) into packages/protocol/test/fixtures/<client>/.
//
//   npx node tools/capture-fixtures/src/main.ts [--client NAME]... [--out DIR] [--dry-run]
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { loadApiCatalog } from './api-catalog.ts'
import { clientVersion } from './client-versions.ts'
import { selectExemplars, writeFixtures } from './fixture-writer.ts'
import { captureClient, captureScenarios } from './scenarios.ts'

const defaultOut = resolve(import.meta.dirname, '../../../packages/protocol/test/fixtures')
const responseBytesMax = 16 * 1024

const { values } = parseArgs({
  options: {
    client: { type: 'string', multiple: true },
    out: { type: 'string', default: defaultOut },
    'dry-run': { type: 'boolean', default: false },
  },
})

const catalog = loadApiCatalog()
const clients = values.client ?? Object.keys(captureScenarios)
for (const client of clients) {
  if (!(client in captureScenarios)) throw new Error(`unknown client ${client}; known: ${Object.keys(captureScenarios).join(', ')}`)
  const { exchanges, broker, problems } = await captureClient(client, catalog)
  const fixtures = selectExemplars(exchanges, { client, clientVersion: clientVersion(client), broker, catalog, responseBytesMax })
  const bytes = fixtures.reduce((sum, fixture) => sum + fixture.request.length + fixture.response.length, 0)
  console.log(`${client}: ${exchanges.length} exchanges → ${fixtures.length} fixtures, ${bytes} bytes`)
  for (const fixture of fixtures) console.log(`  ${fixture.baseName}`)
  for (const problem of problems) console.log(`  problem: ${problem}`)
  if (!values['dry-run']) writeFixtures(values.out, client, fixtures)
}

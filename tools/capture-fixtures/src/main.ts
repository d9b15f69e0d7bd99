// Re-records the golden protocol fixtures: for each client, start refbroker, put the recording
// proxy in front of it, drive the real client through a few scenarios (metadata, produce and
// fetch with every compression codec, a consumer group, an idempotent producer) and write one
// exemplar per api × version (× codec) into packages/protocol/test/fixtures/<client>/.
//
//   npx node tools/capture-fixtures/src/main.ts [--client NAME]... [--out DIR] [--dry-run]
import { parseArgs } from 'node:util'
import { loadApiCatalog } from './api-catalog.ts'
import { clientVersion } from './client-versions.ts'
import { selectExemplars, writeFixtures, type Fixture } from './fixture-writer.ts'
import { captureClient, captureScenarios } from './scenarios.ts'
import { fixturesDir } from '../../../packages/protocol/test/support/fixtures.ts'

const responseBytesMax = 16 * 1024

const { values } = parseArgs({
  options: {
    client: { type: 'string', multiple: true },
    out: { type: 'string', default: fixturesDir },
    'dry-run': { type: 'boolean', default: false },
  },
})

const catalog = loadApiCatalog()
const clients = values.client ?? Object.keys(captureScenarios)
for (const client of clients) {
  if (!(client in captureScenarios)) throw new Error(`unknown client ${client}; known: ${Object.keys(captureScenarios).join(', ')}`)
  const version = clientVersion(client)
  const fixtures: Fixture[] = []
  for (const session of await captureClient(client, catalog)) {
    const selected = selectExemplars(session.exchanges, { client, clientVersion: version, broker: session.broker, catalog, responseBytesMax, baseNameSuffix: session.baseNameSuffix })
    fixtures.push(...selected)
    console.log(`${client} via ${session.broker}: ${session.exchanges.length} exchanges → ${selected.length} fixtures`)
    for (const problem of session.problems) console.log(`  problem: ${problem}`)
  }
  const bytes = fixtures.reduce((sum, fixture) => sum + fixture.request.length + fixture.response.length, 0)
  console.log(`${client}: ${fixtures.length} fixtures, ${bytes} bytes: ${fixtures.map((fixture) => fixture.baseName).join(' ')}`)
  if (!values['dry-run']) writeFixtures(values.out, client, fixtures)
}

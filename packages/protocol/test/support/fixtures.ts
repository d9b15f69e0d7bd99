// Loads the golden fixtures recorded by tools/capture-fixtures: for every
// fixtures/<client>/<name>.json, the request and response frames beside it.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type FixtureMetadata = {
  client: string
  clientVersion: string
  broker: string
  apiKey: number
  apiName: string
  apiVersion: number
  correlationId: number
  /** Compression codec (or 'transactional') for Produce and Fetch fixtures; '' otherwise. */
  variant: string
}

export type GoldenFixture = {
  /** `<client>/<base name>`, for test names. */
  id: string
  metadata: FixtureMetadata
  /** Request frame without its size prefix: request header + body. */
  request: Uint8Array
  /** Response frame without its size prefix: response header + body. */
  response: Uint8Array
}

export const fixturesDir = join(import.meta.dirname, '..', 'fixtures')

export function loadFixtures(dir = fixturesDir): GoldenFixture[] {
  const fixtures: GoldenFixture[] = []
  for (const client of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, client)).sort()) {
      if (!file.endsWith('.json')) continue
      const base = file.slice(0, -'.json'.length)
      fixtures.push({
        id: `${client}/${base}`,
        metadata: JSON.parse(readFileSync(join(dir, client, file), 'utf8')) as FixtureMetadata,
        request: new Uint8Array(readFileSync(join(dir, client, `${base}-request.bin`))),
        response: new Uint8Array(readFileSync(join(dir, client, `${base}-response.bin`))),
      })
    }
  }
  return fixtures
}

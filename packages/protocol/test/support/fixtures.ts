// The golden fixtures' file layout, written by tools/capture-fixtures and read by the golden
// tests: fixtures/<client>/<base name>.json (metadata) with <base name>-request.bin and
// <base name>-response.bin beside it.
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
  /** Scenario label: the compression codec (or 'transactional') for Produce and Fetch fixtures; '' otherwise. */
  variant: string
  requestBytes: number
  responseBytes: number
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

/** Paths of one fixture's three files in `<dir>/<client>/`. */
export function fixtureFiles(dir: string, client: string, baseName: string): { metadata: string; request: string; response: string } {
  return {
    metadata: join(dir, client, `${baseName}.json`),
    request: join(dir, client, `${baseName}-request.bin`),
    response: join(dir, client, `${baseName}-response.bin`),
  }
}

export function loadFixtures(dir = fixturesDir): GoldenFixture[] {
  const fixtures: GoldenFixture[] = []
  for (const client of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, client)).sort()) {
      if (!file.endsWith('.json')) continue
      const base = file.slice(0, -'.json'.length)
      const files = fixtureFiles(dir, client, base)
      fixtures.push({
        id: `${client}/${base}`,
        metadata: JSON.parse(readFileSync(files.metadata, 'utf8')) as FixtureMetadata,
        request: new Uint8Array(readFileSync(files.request)),
        response: new Uint8Array(readFileSync(files.response)),
      })
    }
  }
  return fixtures
}

// Chooses one exemplar per client × api × version (× compression, for Produce and Fetch) from
// the recorded exchanges and writes them as
//   <dir>/<client>/<api-name>-v<N>[-<variant>]-request.bin / -response.bin / .json
// in the layout the golden tests read (packages/protocol/test/support/fixtures.ts owns it).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ApiInfo } from './api-catalog.ts'
import type { Exchange } from './recording-proxy.ts'
import { fixtureFiles, type FixtureMetadata } from '../../../packages/protocol/test/support/fixtures.ts'

export type { FixtureMetadata }

export type Fixture = { baseName: string; metadata: FixtureMetadata; request: Buffer; response: Buffer }

export type SelectOptions = {
  client: string
  clientVersion: string
  broker: string
  catalog: ReadonlyMap<number, ApiInfo>
  /** Fetch responses above this are not kept (the fixtures are committed). */
  responseBytesMax: number
  /** Appended to every base name (fixtures recorded against our own broker get '-tributary'). */
  baseNameSuffix?: string
}

const ApiKeyProduce = 0
const ApiKeyFetch = 1

export function selectExemplars(exchanges: readonly Exchange[], options: SelectOptions): Fixture[] {
  const chosen = new Map<string, Fixture>()
  for (const exchange of exchanges) {
    if (exchange.response === undefined || exchange.response.length > options.responseBytesMax) continue
    const api = options.catalog.get(exchange.apiKey)
    if (api === undefined) continue
    const variant = exchange.apiKey === ApiKeyProduce || exchange.apiKey === ApiKeyFetch ? exchange.label : ''
    const baseName = `${api.fileName}-v${exchange.apiVersion}${variant ? `-${variant}` : ''}${options.baseNameSuffix ?? ''}`
    const previous = chosen.get(baseName)
    // Fetch: keep the fullest response (the one carrying record batches); others: the first.
    if (previous && !(exchange.apiKey === ApiKeyFetch && exchange.response.length > previous.response.length)) continue
    chosen.set(baseName, {
      baseName,
      request: exchange.request,
      response: exchange.response,
      metadata: {
        client: options.client,
        clientVersion: options.clientVersion,
        broker: options.broker,
        apiKey: exchange.apiKey,
        apiName: api.name,
        apiVersion: exchange.apiVersion,
        correlationId: exchange.correlationId,
        variant,
        requestBytes: exchange.request.length,
        responseBytes: exchange.response.length,
      },
    })
  }
  return [...chosen.values()].sort((a, b) => a.baseName.localeCompare(b.baseName))
}

/** Replaces the client's fixture directory with `fixtures`. */
export function writeFixtures(fixturesDir: string, client: string, fixtures: readonly Fixture[]): void {
  const dir = join(fixturesDir, client)
  mkdirSync(dir, { recursive: true })
  for (const file of readdirSync(dir)) rmSync(join(dir, file))
  for (const fixture of fixtures) {
    const files = fixtureFiles(fixturesDir, client, fixture.baseName)
    writeFileSync(files.request, fixture.request)
    writeFileSync(files.response, fixture.response)
    writeFileSync(files.metadata, `${JSON.stringify(fixture.metadata, null, 2)}\n`)
  }
}

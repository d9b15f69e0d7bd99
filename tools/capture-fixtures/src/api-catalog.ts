// Api key → name and flexible versions, read from Kafka's message specs in ../shared. The proxy
// needs only names (for file names) and where flexible versions start (to find header tagged
// fields); it deliberately does not use our generated codecs, since the fixtures it records are
// the evidence those codecs are tested against.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export type ApiInfo = {
  apiKey: number
  /** Spec name without the Request/Response suffix, e.g. "InitProducerId". */
  name: string
  /** kebab-case, e.g. "init-producer-id" (fixture file names). */
  fileName: string
  /** First flexible request version, or Infinity when none is flexible. */
  firstFlexibleVersion: number
}

export function defaultMessagesDir(): string {
  const shared = process.env.TRIBUTARY_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared')
  return join(shared, 'kafka-protocol', 'messages')
}

export function loadApiCatalog(messagesDir = defaultMessagesDir()): Map<number, ApiInfo> {
  const catalog = new Map<number, ApiInfo>()
  for (const file of readdirSync(messagesDir)) {
    if (!file.endsWith('Request.json')) continue
    const spec = JSON.parse(stripComments(readFileSync(join(messagesDir, file), 'utf8'))) as {
      apiKey?: number; name: string; type: string; flexibleVersions: string
    }
    if (spec.type !== 'request' || spec.apiKey === undefined) continue
    const name = spec.name.replace(/Request$/, '')
    catalog.set(spec.apiKey, {
      apiKey: spec.apiKey,
      name,
      fileName: name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
      firstFlexibleVersion: spec.flexibleVersions === 'none' ? Infinity : Number.parseInt(spec.flexibleVersions, 10),
    })
  }
  return catalog
}

/** Removes `//` comments (outside strings) from the JSON-with-comments spec files. */
export function stripComments(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      out += char
      if (char === '\\') { out += text[++i] ?? '' } else if (char === '"') inString = false
    } else if (char === '"') {
      inString = true
      out += char
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else out += char
  }
  return out
}

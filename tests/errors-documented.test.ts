// Every operating-error code a package defines (in packages/<name>/src/errors.ts) is listed in
// docs/reference/errors.md, and every code listed there still exists — the docs cannot drift.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const codePattern = /:\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g

function definedCodes(): Set<string> {
  const codes = new Set<string>()
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', pkg, 'src', 'errors.ts')
    if (!existsSync(file)) continue
    for (const match of readFileSync(file, 'utf8').matchAll(codePattern)) {
      // Codes of a third-party library that client/src/errors.ts translates are not ours.
      if (!match[1].startsWith('PLT_')) codes.add(match[1])
    }
  }
  return codes
}

function documentedCodes(): Set<string> {
  const text = readFileSync(join(root, 'docs', 'reference', 'errors.md'), 'utf8')
  return new Set([...text.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]))
}

test('every error code is documented in docs/reference/errors.md', () => {
  const documented = documentedCodes()
  const missing = [...definedCodes()].filter((code) => !documented.has(code))
  assert.deepEqual(missing, [], `undocumented error codes: ${missing.join(', ')}`)
})

test('every documented error code still exists', () => {
  const defined = definedCodes()
  const stale = [...documentedCodes()].filter((code) => !defined.has(code))
  assert.deepEqual(stale, [], `documented but no longer defined: ${stale.join(', ')}`)
})

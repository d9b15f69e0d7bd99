// Every operating-error code a package defines (in any errors.ts under packages/<name>/src, or as
// `readonly code = 'X'` on an error class anywhere in a package's source) is listed in
// docs/reference/errors.md, and every code listed there still exists — the docs cannot drift.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const codePattern = /:\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g
const classCodePattern = /readonly code = '([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('generated/'))
    .map((name) => join(dir, name))
}

function definedCodes(): Set<string> {
  const codes = new Set<string>()
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src')
    if (!existsSync(src)) continue
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8')
      const matches = file.endsWith('errors.ts') ? [...text.matchAll(codePattern), ...text.matchAll(classCodePattern)] : [...text.matchAll(classCodePattern)]
      // Codes of a third-party library that client/src/errors.ts translates are not ours.
      for (const match of matches) if (!match[1].startsWith('PLT_')) codes.add(match[1])
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

// The import graph is the architecture (ARCHITECTURE.md, "Layers"). This test reads every
// source file of every package and fails when a package imports one it may not, imports
// another package's internals by path, or imports @platformatic/kafka outside `client`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')

// package → packages it may import (`testing` is dev-only and may be imported by tests anywhere).
const allowed: Record<string, string[]> = {
  protocol: [],
  log: ['protocol'],
  broker: ['protocol', 'log'],
  client: ['protocol'],
  streams: ['client', 'protocol'],
  sql: ['streams', 'client', 'protocol'],
  connectors: ['client', 'streams', 'protocol'],
  'api-contract': [],
  platform: ['broker', 'client', 'streams', 'sql', 'connectors', 'api-contract', 'protocol', 'log'],
  dashboard: ['api-contract'],
  testing: ['protocol', 'log', 'broker', 'client'],
  cli: ['broker', 'client', 'streams', 'sql', 'connectors', 'platform', 'protocol', 'log', 'api-contract'],
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === 'node_modules') continue
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (name.endsWith('.ts')) out.push(path)
  }
  return out
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

test('packages import only the layers below them', () => {
  const packagesDir = join(root, 'packages')
  const violations: string[] = []
  for (const pkg of readdirSync(packagesDir)) {
    const src = join(packagesDir, pkg, 'src')
    if (!existsSync(src)) continue
    assert.ok(pkg in allowed, `package '${pkg}' has no entry in the layering table of tests/architecture.test.ts`)
    for (const file of sourceFiles(src)) {
      const isTest = /\.(test|contract|bench)\.ts$/.test(file) || file.includes('/testing/')
      const text = readFileSync(file, 'utf8')
      for (const match of text.matchAll(importPattern)) {
        const specifier = match[1] ?? match[2]
        const where = relative(root, file)
        if (specifier.startsWith('@tributary/')) {
          const target = specifier.slice('@tributary/'.length).split('/')[0]
          if (target === pkg) violations.push(`${where}: imports its own package by name`)
          else if (target === 'testing' && isTest) continue
          else if (!allowed[pkg].includes(target)) violations.push(`${where}: ${pkg} may not import ${specifier}`)
        } else if (specifier.startsWith('.') && specifier.includes('/packages/')) {
          violations.push(`${where}: deep relative import into another package: ${specifier}`)
        } else if (specifier.startsWith('..') && !join(file, '..', specifier).startsWith(join(packagesDir, pkg))) {
          violations.push(`${where}: relative import leaves its package: ${specifier}`)
        } else if (specifier === '@platformatic/kafka' || specifier.startsWith('@platformatic/kafka/')) {
          if (pkg !== 'client') violations.push(`${where}: only the client package may import @platformatic/kafka`)
        }
      }
    }
  }
  assert.deepEqual(violations, [])
})

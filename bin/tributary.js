#!/usr/bin/env node
// Entry shim for the `tributary` command. Tributary is TypeScript run by Node's own type
// stripping (Node >= 22.18). When this shim is started by an older system Node (for example
// Node 20 outside `npm run`), it re-executes itself on the Node 24 that the `node`
// devDependency installs, so `npx tributary` works either way.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [major, minor] = process.versions.node.split('.').map(Number)
const stripsTypes = major > 22 || (major === 22 && minor >= 18)

if (!stripsTypes) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(local)) {
    console.error(`tributary needs Node >= 22.18 (found ${process.version}); run \`npm install\` first`)
    process.exit(1)
  }
  const result = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
} else {
  await import('../packages/cli/src/main.ts')
}

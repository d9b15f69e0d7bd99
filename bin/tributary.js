#!/usr/bin/env node
// Entry shim for the `tributary` command. Tributary is TypeScript run by Node's own type
// stripping (Node >= 22.18). When this shim is started by an older system Node (for example
// Node 20 outside `npm run`), it re-executes itself on the Node 24 that the `node`
// devDependency installs, so `npx tributary` works either way.
//
// Long-running servers (`tributary broker`) also get V8 heap flags, as Kafka's start script
// sets KAFKA_HEAP_OPTS: TRIBUTARY_HEAP_OPTS, default `--initial-old-space-size=128`. Without it
// V8 sizes the old generation to the broker's small live heap (~15 MB) and runs a full
// collection every few tens of MB of socket reads; bench/broker/README.md has the measurement.
// Node refuses this flag in NODE_OPTIONS, so the shim replaces its own process image with
// process.execve: the pid stays the same, so signals and `kill -9` reach the broker itself.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const self = fileURLToPath(import.meta.url)
const [major, minor] = process.versions.node.split('.').map(Number)
const stripsTypes = major > 22 || (major === 22 && minor >= 18)

const serverCommands = new Set(['broker'])
const defaultHeapOptions = '--initial-old-space-size=128'

/** The heap flags still to add: TRIBUTARY_HEAP_OPTS (or the default) minus those Node already runs with. */
function missingHeapFlags() {
  if (!serverCommands.has(process.argv[2])) return []
  const wanted = (process.env.TRIBUTARY_HEAP_OPTS ?? defaultHeapOptions).split(/\s+/).filter((flag) => flag !== '')
  const present = new Set(process.execArgv.map((flag) => flag.split('=')[0]))
  return wanted.filter((flag) => !present.has(flag.split('=')[0]))
}

if (!stripsTypes) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(local)) {
    console.error(`tributary needs Node >= 22.18 (found ${process.version}); run \`npm install\` first`)
    process.exit(1)
  }
  const result = spawnSync(local, [...missingHeapFlags(), self, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
} else {
  const heapFlags = missingHeapFlags()
  if (heapFlags.length > 0 && typeof process.execve === 'function') {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...heapFlags, self, ...process.argv.slice(2)], process.env)
  }
  await import('../packages/cli/src/main.ts')
}

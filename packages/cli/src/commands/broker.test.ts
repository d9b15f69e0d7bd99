// `tributary broker` option handling (the serving path is covered by packages/broker/test/crash.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const shim = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'tributary.js')
const runCli = (args: string[]) => spawnSync(process.execPath, [shim, 'broker', ...args], { encoding: 'utf8', timeout: 20_000 })

test('--help prints the options and exits 0', () => {
  const result = runCli(['--help'])
  assert.equal(result.status, 0)
  assert.match(result.stdout, /--flush-policy <policy>/)
  assert.match(result.stdout, /every-batch \| interval \| os/)
})

test('a bad option value exits 2 with a message', () => {
  const result = runCli(['--flush-policy', 'sometimes'])
  assert.equal(result.status, 2)
  assert.match(result.stderr, /--flush-policy must be one of every-batch, interval, os/)
  assert.equal(runCli(['--port', '99999']).status, 2)
  assert.equal(runCli(['--no-such-option']).status, 2)
})

/** Starts `tributary broker` on port 0, returns its /proc cmdline once it listens, then stops it. */
async function brokerCommandLine(env: NodeJS.ProcessEnv): Promise<{ pid: number; argv: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cli-heap-'))
  const child = spawn(process.execPath, [shim, 'broker', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
    assert.match(line, /^listening on /)
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '')
    return { pid: child.pid!, argv }
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

test('the broker runs with the default heap flags in the process the caller started (same pid)', async () => {
  const { argv } = await brokerCommandLine({ ...process.env, TRIBUTARY_HEAP_OPTS: undefined })
  assert.ok(argv.includes('--initial-old-space-size=128'), `cmdline: ${argv.join(' ')}`)
  assert.ok(argv.includes('broker'))
})

test('TRIBUTARY_HEAP_OPTS replaces the heap flags; empty means none', async () => {
  const custom = await brokerCommandLine({ ...process.env, TRIBUTARY_HEAP_OPTS: '--initial-old-space-size=64 --max-semi-space-size=16' })
  assert.ok(custom.argv.includes('--initial-old-space-size=64') && custom.argv.includes('--max-semi-space-size=16'), `cmdline: ${custom.argv.join(' ')}`)
  assert.ok(!custom.argv.includes('--initial-old-space-size=128'))
  const none = await brokerCommandLine({ ...process.env, TRIBUTARY_HEAP_OPTS: '' })
  assert.ok(!none.argv.some((part) => part.startsWith('--initial-old-space-size')), `cmdline: ${none.argv.join(' ')}`)
})

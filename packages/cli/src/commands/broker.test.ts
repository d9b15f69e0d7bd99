// `tributary broker` option handling (the serving path is covered by packages/broker/test/crash.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

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

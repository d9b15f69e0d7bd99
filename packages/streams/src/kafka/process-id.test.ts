import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KafkaStreamsError } from './errors.ts'
import { loadProcessId, lockStateDirectory } from './process-id.ts'

const isLocked = (error: unknown): boolean => error instanceof KafkaStreamsError && error.code === 'KAFKA_STREAMS_STATE_DIRECTORY_LOCKED'

test('the process id is kept in the state directory', async (context) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'process-id-'))
  context.after(() => rm(stateDir, { recursive: true, force: true }))
  const first = await loadProcessId(stateDir, 'app')
  assert.equal(await loadProcessId(stateDir, 'app'), first)
  assert.notEqual(await loadProcessId(stateDir, 'other-app'), first)
  assert.notEqual(await loadProcessId(undefined, 'app'), await loadProcessId(undefined, 'app'))
})

test('one instance per state directory: a second is refused until the first releases', async (context) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'state-lock-'))
  context.after(() => rm(stateDir, { recursive: true, force: true }))
  const lock = await lockStateDirectory(stateDir, 'app')
  assert.equal((await readFile(join(stateDir, 'app', '.lock'), 'utf8')).trim(), String(process.pid))
  await assert.rejects(lockStateDirectory(stateDir, 'app'), (error: unknown) => isLocked(error) && /another KafkaStreams instance in this process/.test((error as Error).message))
  const other = await lockStateDirectory(stateDir, 'other-app') // another application id is another directory
  await lock.release()
  await other.release()
  const again = await lockStateDirectory(stateDir, 'app')
  await again.release()
})

test('a lock held by another live process is refused; one left by a dead process is taken over', async (context) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'state-lock-'))
  context.after(() => rm(stateDir, { recursive: true, force: true }))
  const lockFile = join(stateDir, 'app', '.lock')
  const live = spawn('sleep', ['30'], { stdio: 'ignore' })
  context.after(() => live.kill('SIGKILL'))
  await lockStateDirectory(stateDir, 'app').then((lock) => lock.release()) // creates the directory
  await writeFile(lockFile, `${live.pid}\n`)
  await assert.rejects(lockStateDirectory(stateDir, 'app'), (error: unknown) => isLocked(error) && new RegExp(`process ${live.pid}`).test((error as Error).message))
  const dead = spawnSync('true').pid // has exited by now
  await writeFile(lockFile, `${dead}\n`)
  const lock = await lockStateDirectory(stateDir, 'app')
  assert.equal((await readFile(lockFile, 'utf8')).trim(), String(process.pid))
  await lock.release()
})

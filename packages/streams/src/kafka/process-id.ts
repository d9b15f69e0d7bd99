// The instance's state directory `<stateDir>/<applicationId>`: its process id (random per run,
// or kept in `process-id` so that a restarted instance reuses its transactional id and fences
// its previous incarnation), and the lock that keeps two live instances from sharing it (their
// stores and checkpoints would overwrite each other). The lock is a file holding the owner's
// pid: one left by a process that no longer runs (kill -9) is stale and taken over.
import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'

export async function loadProcessId(stateDir: string | undefined, applicationId: string): Promise<string> {
  if (stateDir === undefined) return randomUUID()
  const directory = join(stateDir, applicationId)
  const file = join(directory, 'process-id')
  try {
    const text = (await readFile(file, 'utf8')).trim()
    if (/^[0-9a-f-]{36}$/.test(text)) return text
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(directory, { recursive: true })
  const processId = randomUUID()
  await writeFile(file, `${processId}\n`)
  return processId
}

/** Lock files held by instances of this process (a second instance here must not take one over). */
const heldHere = new Set<string>()

export interface StateDirectoryLock {
  release(): Promise<void>
}

/** Locks `<stateDir>/<applicationId>` for this instance; refuses while another live instance holds it. */
export async function lockStateDirectory(stateDir: string, applicationId: string): Promise<StateDirectoryLock> {
  const directory = join(stateDir, applicationId)
  const file = join(directory, '.lock')
  await mkdir(directory, { recursive: true })
  if (heldHere.has(file)) throw locked(directory, 'another KafkaStreams instance in this process')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx')
      await handle.writeFile(`${process.pid}\n`)
      await handle.close()
      heldHere.add(file)
      return {
        async release() {
          if (!heldHere.delete(file)) return
          await rm(file, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim())
    // Our own pid without an entry in heldHere: an instance of this process that never closed.
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw locked(directory, `process ${owner}`)
    await rm(file, { force: true })
  }
  throw locked(directory, 'another instance racing for it')
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function locked(directory: string, holder: string): KafkaStreamsError {
  return new KafkaStreamsError(KafkaStreamsErrorCode.StateDirectoryLocked, `state directory ${directory} is in use by ${holder}: give each instance its own stateDir`)
}

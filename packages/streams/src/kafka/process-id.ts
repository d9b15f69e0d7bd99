// The instance's process id: random per run, or kept in `<stateDir>/<applicationId>/process-id`
// so that a restarted instance reuses its transactional id and fences its previous incarnation.
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

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

// Test support (not exported): a temporary state directory for one test file, with the two task
// directories the store contracts run in (default write buffer, and a 2-record write buffer so
// reads merge buffer and database), closed and removed when the file's tests end.
import { after } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TaskStateDirectory } from './task-state-directory.ts'

export interface ContractDirectories {
  /** Root of the temporary state directory; tests may open more task directories under it. */
  readonly stateDir: string
  readonly contractDirectory: TaskStateDirectory
  readonly smallBufferDirectory: TaskStateDirectory
}

export function contractDirectories(prefix: string): ContractDirectories {
  const stateDir = mkdtempSync(join(tmpdir(), prefix))
  const contractDirectory = new TaskStateDirectory({ stateDir, applicationId: 'contract', taskId: '0_0', maxStores: 512 })
  const smallBufferDirectory = new TaskStateDirectory({ stateDir: join(stateDir, 'small-buffer'), applicationId: 'contract', taskId: '0_0', maxStores: 512, writeBuffer: { maxBufferedRecords: 2 } })
  after(async () => {
    await contractDirectory.close()
    await smallBufferDirectory.close()
    rmSync(stateDir, { recursive: true, force: true })
  })
  return { stateDir, contractDirectory, smallBufferDirectory }
}

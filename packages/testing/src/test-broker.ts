// A throwaway embedded broker for integration tests: our own broker on an ephemeral port with
// its data in a fresh temp directory, removed again by close().
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker } from '@tributary/broker'

export interface TestBroker {
  /** `host:port` of the broker, for `bootstrapServers`. */
  readonly bootstrapServers: string
  /** The broker's data directory (deleted by close). */
  readonly dataDir: string
  close(): Promise<void>
}

/** Starts the embedded broker on 127.0.0.1, port 0, in a new temp directory. */
export async function startTestBroker(options: { dataDir?: string } = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tributary-test-broker-')))
  const broker = await startBroker({ host: '127.0.0.1', port: 0, dataDir })
  let closed = false
  return {
    bootstrapServers: `${broker.host}:${broker.port}`,
    dataDir,
    async close() {
      if (closed) return
      closed = true
      await broker.close()
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true })
    },
  }
}

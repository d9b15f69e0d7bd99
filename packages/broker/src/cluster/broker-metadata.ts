// The broker's identity on disk: `meta.properties` in the data directory holds the cluster id
// and node id, so both stay the same across restarts (clients cache the cluster id). The file
// is written once, atomically (temp file, fsync, rename), when the data directory is new.
import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { BrokerError, BrokerErrorCode } from '../errors.ts'

export interface BrokerMetadata {
  /** 22-character base64url id, like Kafka's. */
  readonly clusterId: string
  readonly nodeId: number
}

const fileName = 'meta.properties'

/** Reads `meta.properties`, or creates it with a fresh cluster id and `nodeId`. */
export async function loadOrCreateBrokerMetadata(dataDir: string, nodeId: number): Promise<BrokerMetadata> {
  await mkdir(dataDir, { recursive: true })
  const path = join(dataDir, fileName)
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw dataDirectoryError(path, error)
  }
  if (text !== undefined) return parseBrokerMetadata(text, path)
  const metadata: BrokerMetadata = { clusterId: newClusterId(), nodeId }
  const temporary = `${path}.tmp`
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(`# Written by tributary broker; do not edit.\nversion=1\ncluster.id=${metadata.clusterId}\nnode.id=${metadata.nodeId}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, path)
  return metadata
}

function parseBrokerMetadata(text: string, path: string): BrokerMetadata {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line)
    if (match !== null) values.set(match[1], match[2])
  }
  const clusterId = values.get('cluster.id')
  const nodeId = Number(values.get('node.id'))
  if (clusterId === undefined || clusterId === '' || !Number.isInteger(nodeId)) {
    throw new BrokerError(BrokerErrorCode.DataDirectory, `${path} lacks cluster.id or node.id`, { domain: 'user' })
  }
  return { clusterId, nodeId }
}

function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
}

function dataDirectoryError(path: string, cause: unknown): BrokerError {
  return new BrokerError(BrokerErrorCode.DataDirectory, `cannot read ${path}: ${(cause as Error).message}`, { cause, domain: 'external' })
}

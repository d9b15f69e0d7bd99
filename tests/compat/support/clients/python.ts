// The two Debian Python clients, driven through tests/compat/python/*.py under /usr/bin/python3
// (Debian's packages import only there). Records travel through temporary JSON-lines files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import type { ClientDriver, ClusterMetadata, Codec, ConsumedRecord } from '../client-driver.ts'
import { codecs } from '../client-driver.ts'
import { run } from '../process.ts'

const python = '/usr/bin/python3'
const scriptsDir = resolve(import.meta.dirname, '../../python')
const timeoutMs = 90_000

function pythonDriver(name: string, script: string, module: string): Omit<ClientDriver, 'codecs'> {
  const call = async (command: string, args: Record<string, unknown>): Promise<unknown> => {
    const { stdout } = await run(python, [join(scriptsDir, script), command, JSON.stringify(args)], { timeoutMs })
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null')
  }
  const withTempDir = async <T>(body: (dir: string) => Promise<T>): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), `compat-${name}-`))
    try { return await body(dir) } finally { rmSync(dir, { recursive: true, force: true }) }
  }
  return {
    name,
    unavailable() {
      const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' })
      return probe.status === 0 ? undefined : `${python} cannot import ${module} (see .ci/setup-machine.sh): ${probe.stderr.trim().split('\n').at(-1)}`
    },
    consumesThroughGroup: false,
    metadata: async (bootstrap) => (await call('metadata', { bootstrap })) as ClusterMetadata,
    produce: (bootstrap, { topic, records, compression, idempotent }) => withTempDir(async (dir) => {
      const recordsFile = join(dir, 'records.jsonl')
      writeFileSync(recordsFile, records.map((record) => JSON.stringify(record)).join('\n') + '\n')
      await call('produce', { bootstrap, topic, compression, idempotent: idempotent === true, recordsFile })
    }),
    consume: (bootstrap, { topic, count, group, commit }) => withTempDir(async (dir) => {
      const outFile = join(dir, 'consumed.jsonl')
      await call('consume', { bootstrap, topic, count, group, commit: commit === true, outFile })
      return readFileSync(outFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ConsumedRecord)
    }),
    produceTransactions: (bootstrap, { topic, transactionalId, transactions }) => withTempDir(async (dir) => {
      const files = transactions.map((transaction, index) => {
        const recordsFile = join(dir, `transaction-${index}.jsonl`)
        writeFileSync(recordsFile, transaction.records.map((record) => JSON.stringify(record)).join('\n') + '\n')
        return { recordsFile, commit: transaction.commit }
      })
      await call('produce-transactions', { bootstrap, topic, transactionalId, transactions: files })
    }),
    createTopic: async (bootstrap, topic, partitions) => { await call('create-topic', { bootstrap, topic, partitions }) },
    deleteTopic: async (bootstrap, topic) => { await call('delete-topic', { bootstrap, topic }) },
    async offsetsForTimes(bootstrap, topic, partitions, timestampMs) {
      const found = (await call('offsets-for-times', { bootstrap, topic, partitions, timestampMs })) as Record<string, number>
      return new Map(Object.entries(found).map(([partition, offset]) => [Number(partition), offset]))
    },
    describeConfigs: async (bootstrap, topic) => (await call('describe-configs', { bootstrap, topic })) as Record<string, string | null>,
    alterConfigs: async (bootstrap, topic, configs) => { await call('alter-configs', { bootstrap, topic, configs }) },
  }
}

export const confluentKafkaPython: ClientDriver = {
  ...pythonDriver('python-confluent-kafka', 'confluent_client.py', 'confluent_kafka'),
  codecs: { supported: codecs },
}

function kafkaPythonCodecs(): ClientDriver['codecs'] {
  const probe = spawnSync(python, [join(scriptsDir, 'kafka_python_client.py'), 'codecs', '{}'], { encoding: 'utf8' })
  if (probe.status !== 0) return { supported: ['none'], missingReason: `codec probe failed: ${probe.stderr.trim()}` }
  const available = JSON.parse(probe.stdout) as Record<string, boolean>
  const supported = codecs.filter((codec) => codec === 'none' || available[codec])
  const missing = codecs.filter((codec: Codec) => !supported.includes(codec))
  return { supported, missingReason: missing.length ? `kafka-python lacks ${missing.join(', ')} here (install python3-snappy / python3-lz4 / python3-zstandard)` : undefined }
}

let kafkaPythonCodecsProbed: ClientDriver['codecs'] | undefined
export const kafkaPython: ClientDriver = {
  ...pythonDriver('python-kafka', 'kafka_python_client.py', 'kafka'),
  produceTransactions: undefined,
  missing: { produceTransactions: 'kafka-python 2.0.2 has no transactional producer' },
  get codecs() { return (kafkaPythonCodecsProbed ??= kafkaPythonCodecs()) },
}

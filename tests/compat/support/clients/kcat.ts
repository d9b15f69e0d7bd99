// kcat 1.7 (librdkafka 2.0.2, Debian): the C client, driven as a CLI. It has no admin commands.
import type { ClientDriver, ConsumedRecord } from '../client-driver.ts'
import { codecs } from '../client-driver.ts'
import { commandExists, run } from '../process.ts'

const timeoutMs = 60_000

export const kcat: ClientDriver = {
  name: 'kcat',
  unavailable: () => (commandExists('kcat') ? undefined : 'kcat is not installed (apt-get install kcat; see .ci/setup-machine.sh)'),
  codecs: { supported: codecs },
  consumesThroughGroup: false,
  async metadata(bootstrap) {
    const { stdout } = await run('kcat', ['-b', bootstrap, '-L', '-J', '-m', '10'], { timeoutMs })
    const metadata = JSON.parse(stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: unknown[] }[] }
    return {
      brokers: metadata.brokers.map((broker) => {
        const [host, port] = broker.name.split(':')
        return { nodeId: broker.id, host, port: Number(port) }
      }),
      topics: metadata.topics.map((topic) => ({ name: topic.topic, partitions: topic.partitions.length })),
    }
  },
  async produce(bootstrap, { topic, records, compression, idempotent }) {
    const input = records.map((record) => `${record.key}\t${record.value}\n`).join('')
    const args = ['-b', bootstrap, '-P', '-t', topic, '-K', '\\t', '-z', compression,
      '-X', 'linger.ms=5', '-X', 'message.timeout.ms=30000', '-X', 'sticky.partitioning.linger.ms=0', '-X', `enable.idempotence=${idempotent === true}`]
    const { stderr } = await run('kcat', args, { input, timeoutMs })
    if (/Delivery failed|ERROR/i.test(stderr)) throw new Error(`kcat produce reported errors:\n${stderr.slice(-4000)}`)
  },
  async consume(bootstrap, { topic, count, group, commit }) {
    // With -G, kcat commits on close when auto commit is on. No -o there: kcat applies -o to
    // every assignment, overriding committed offsets; auto.offset.reset covers a new group.
    const args = group === undefined
      ? ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-c', String(count), '-J', '-X', 'isolation.level=read_committed']
      : ['-b', bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-e', '-c', String(count), '-J', '-X', 'session.timeout.ms=6000',
          '-X', `enable.auto.commit=${commit === true}`, topic]
    const { stdout } = await run('kcat', args, { timeoutMs })
    return stdout.split('\n').filter((line) => line.startsWith('{')).map((line): ConsumedRecord => {
      const message = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null; ts: number }
      return { partition: message.partition, offset: message.offset, key: message.key ?? '', value: message.payload ?? '', timestampMs: message.ts }
    })
  },
  async offsetsForTimes(bootstrap, topic, partitions, timestampMs) {
    const args = ['-b', bootstrap, '-Q']
    for (let partition = 0; partition < partitions; partition++) args.push('-t', `${topic}:${partition}:${timestampMs}`)
    const { stdout } = await run('kcat', args, { timeoutMs })
    const offsets = new Map<number, number>()
    for (const match of stdout.matchAll(/\[(\d+)\]\s+offset\s+(-?\d+)/g)) offsets.set(Number(match[1]), Number(match[2]))
    return offsets
  },
  missing: {
    produceTransactions: 'kcat runs at most one transaction per invocation and cannot abort one',
    createTopic: 'kcat has no admin commands (CreateTopics)',
    deleteTopic: 'kcat has no admin commands (DeleteTopics)',
    describeConfigs: 'kcat has no admin commands (DescribeConfigs)',
    alterConfigs: 'kcat has no admin commands (AlterConfigs)',
  },
}

// Version strings of the recorded clients, stored in each fixture's .json.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name))
  for (let depth = 0; depth < 5; depth++, dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }
      if (manifest.name === name) return `${name} ${manifest.version}`
    } catch { /* keep walking up */ }
  }
  return `${name} (version unknown)`
}

function commandOutput(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  return `${result.stdout}${result.stderr}`.trim()
}

export function clientVersion(client: string): string {
  switch (client) {
    case 'kcat': {
      const match = /Version (\S+).*librdkafka (\S+)/.exec(commandOutput('kcat', ['-V']))
      return match ? `kcat ${match[1]} (librdkafka ${match[2]})` : 'kcat'
    }
    case 'python-confluent-kafka':
      return `confluent-kafka ${commandOutput('/usr/bin/python3', ['-c', 'import confluent_kafka as c; print(c.version()[0], "(librdkafka", c.libversion()[0] + ")")'])}`
    case 'python-kafka':
      return `kafka-python ${commandOutput('/usr/bin/python3', ['-c', 'import kafka; print(kafka.__version__)'])}`
    case 'kafkajs':
      return packageVersion('kafkajs')
    case 'platformatic-kafka':
      return packageVersion('@platformatic/kafka')
    default:
      return client
  }
}

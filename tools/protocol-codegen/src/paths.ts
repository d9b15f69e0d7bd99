// Where the generator reads and writes. The specs live outside the repository, in
// ../shared/kafka-protocol beside the clone (override with KAFKA_PROTOCOL_DIR).
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const repoRoot = join(import.meta.dirname, '..', '..', '..')
export const outputDir = join(repoRoot, 'packages', 'protocol', 'src', 'generated')

/** The kafka-protocol directory (messages/, errors.json, SOURCE.md). Throws when absent. */
export function protocolDir(): string {
  const candidate = process.env.KAFKA_PROTOCOL_DIR ?? join(repoRoot, '..', 'shared', 'kafka-protocol')
  if (!existsSync(join(candidate, 'messages'))) {
    throw new Error(`no Kafka message specs at ${candidate}/messages (clone shared/ beside the repository or set KAFKA_PROTOCOL_DIR)`)
  }
  return candidate
}

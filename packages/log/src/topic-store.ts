// Topic metadata on disk: one JSON file per topic under `<dataDir>/topics/`, replaced atomically
// (durable-file.ts) on every change. Partition data lives in `<dataDir>/<topic>-<partition>/`.
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { LogError, LogErrorCode, ioError } from './errors.ts'
import { readJsonFile, removeFileDurably, syncDirectory, writeFileDurably } from './durable-file.ts'

/** What the log persists about a topic. */
export interface TopicMetadata {
  name: string
  /** A random UUID (8-4-4-4-12 hex), fixed at creation: Kafka's topic id. */
  topicId: string
  partitionCount: number
  /** Topic-level config overrides, as Kafka spells them (`retention.ms`…). */
  configs: Record<string, string>
}

export const TOPICS_DIRECTORY = 'topics'
const METADATA_VERSION = 1
/** Kafka's limit: topic names become file names. */
const TOPIC_NAME_MAX_LENGTH = 249
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/

/** Throws LOG_INVALID_TOPIC unless `name` is a legal Kafka topic name. */
export function checkTopicName(name: string): void {
  if (name.length === 0 || name.length > TOPIC_NAME_MAX_LENGTH || name === '.' || name === '..' || !TOPIC_NAME.test(name)) {
    throw new LogError(LogErrorCode.InvalidTopic, `invalid topic name '${name}': 1 to ${TOPIC_NAME_MAX_LENGTH} characters of [a-zA-Z0-9._-], not '.' or '..'`)
  }
}

/** The directory of one partition: `<dataDir>/<topic>-<partition>`. */
export function partitionDirectory(dataDir: string, topic: string, partition: number): string {
  return join(dataDir, `${topic}-${partition}`)
}

export function readAllTopicMetadata(dataDir: string): TopicMetadata[] {
  const dir = join(dataDir, TOPICS_DIRECTORY)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw ioError(`create ${dir}`, error)
  }
  const topics: TopicMetadata[] = []
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue
    const json = readJsonFile(join(dir, name)) as Partial<TopicMetadata> & { version?: number }
    if (json.version !== METADATA_VERSION || typeof json.name !== 'string' || typeof json.topicId !== 'string' || typeof json.partitionCount !== 'number') {
      throw new LogError(LogErrorCode.Corrupt, `unreadable topic metadata ${join(dir, name)}`)
    }
    topics.push({ name: json.name, topicId: json.topicId, partitionCount: json.partitionCount, configs: { ...(json.configs ?? {}) } })
  }
  return topics
}

export function writeTopicMetadata(dataDir: string, topic: TopicMetadata): void {
  const content = JSON.stringify({ version: METADATA_VERSION, ...topic }, null, 2)
  writeFileDurably(join(dataDir, TOPICS_DIRECTORY, `${topic.name}.json`), content)
}

export function removeTopicMetadata(dataDir: string, name: string): void {
  removeFileDurably(join(dataDir, TOPICS_DIRECTORY, `${name}.json`))
  syncDirectory(dataDir)
}

// A task's local checkpoint: for each changelog topic-partition, the offset of the last
// changelog record the task's stores reflect on disk. File layout (text, one entry a line):
//
//   1                         ← format version
//   2                         ← number of entries
//   app-counts-changelog 3 41 ← topic, partition, offset
//   app-joins-changelog 3 7
//
// Writes are atomic: the content goes to `.checkpoint.tmp`, is fsynced, renamed over
// `.checkpoint`, and the directory is fsynced, so a crash leaves the old or the new file.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { StreamsError, StreamsErrorCode } from '../../errors.ts'

/** A changelog topic-partition. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** Key of a topic-partition in checkpoint maps: `<topic>-<partition>` is ambiguous, so use a space. */
export function topicPartitionKey(topicPartition: TopicPartition): string {
  return `${topicPartition.topic} ${topicPartition.partition}`
}

export interface CheckpointEntry extends TopicPartition {
  /** Offset of the last changelog record reflected in the store; restore resumes at offset + 1. */
  readonly offset: number
}

const formatVersion = 1
const topicPattern = /^[A-Za-z0-9._-]+$/

export class CheckpointFile {
  readonly path: string

  constructor(path: string) {
    this.path = path
  }

  /** The checkpointed offsets, or null when there is no checkpoint file. */
  read(): Map<string, CheckpointEntry> | null {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    return parseCheckpoint(text, this.path)
  }

  /** Replaces the checkpoint atomically (temp file + fsync + rename + directory fsync). */
  write(entries: Iterable<CheckpointEntry>): void {
    const list = [...entries]
    for (const entry of list) {
      if (!topicPattern.test(entry.topic) || !Number.isSafeInteger(entry.partition) || entry.partition < 0 || !Number.isSafeInteger(entry.offset) || entry.offset < 0) {
        throw new StreamsError(StreamsErrorCode.InvalidArgument, `invalid checkpoint entry ${JSON.stringify(entry)}`)
      }
    }
    const text = `${formatVersion}\n${list.length}\n${list.map((entry) => `${entry.topic} ${entry.partition} ${entry.offset}\n`).join('')}`
    const temporary = `${this.path}.tmp`
    const descriptor = openSync(temporary, 'w')
    try {
      writeSync(descriptor, text)
      fsyncSync(descriptor)
    } finally {
      closeSync(descriptor)
    }
    renameSync(temporary, this.path)
    syncDirectory(dirname(this.path))
  }

  /** Removes the checkpoint (under exactly-once while the task processes). */
  delete(): void {
    rmSync(this.path, { force: true })
    syncDirectory(dirname(this.path))
  }
}

function parseCheckpoint(text: string, path: string): Map<string, CheckpointEntry> {
  const corrupt = (why: string) => new StreamsError(StreamsErrorCode.Deserialization, `checkpoint file ${path} is corrupt: ${why}`)
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines[0] !== String(formatVersion)) throw corrupt(`unknown version '${lines[0]}'`)
  const count = Number(lines[1])
  if (!Number.isSafeInteger(count) || count !== lines.length - 2) throw corrupt(`entry count '${lines[1]}' does not match ${lines.length - 2} lines`)
  const entries = new Map<string, CheckpointEntry>()
  for (const line of lines.slice(2)) {
    const [topic, partitionText, offsetText, extra] = line.split(' ')
    const partition = Number(partitionText)
    const offset = Number(offsetText)
    if (extra !== undefined || !topicPattern.test(topic ?? '') || !Number.isSafeInteger(partition) || !Number.isSafeInteger(offset)) throw corrupt(`bad line '${line}'`)
    entries.set(topicPartitionKey({ topic, partition }), { topic, partition, offset })
  }
  return entries
}

function syncDirectory(path: string): void {
  const descriptor = openSync(path, 'r')
  try {
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
}

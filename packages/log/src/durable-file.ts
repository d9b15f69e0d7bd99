// Small metadata files written so that a crash leaves either the old or the new content, never
// a mix: write a temporary sibling, fsync it, rename it over the target, fsync the directory.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { LogError, LogErrorCode, ioError } from './errors.ts'

/** Replaces `path` with `content` atomically and durably. */
export function writeFileDurably(path: string, content: string): void {
  const temporaryPath = `${path}.tmp`
  try {
    const fd = openSync(temporaryPath, 'w', 0o644)
    try {
      const bytes = Buffer.from(content, 'utf8')
      let done = 0
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporaryPath, path)
    syncDirectory(dirname(path))
  } catch (error) {
    throw ioError(`write ${path}`, error)
  }
}

/** Removes `path` (if present) durably. */
export function removeFileDurably(path: string): void {
  try {
    if (!existsSync(path)) return
    unlinkSync(path)
    syncDirectory(dirname(path))
  } catch (error) {
    throw ioError(`remove ${path}`, error)
  }
}

/** The parsed JSON of `path`, or undefined when the file does not exist. A leftover `.tmp` is ignored. */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) return undefined
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw ioError(`read ${path}`, error)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new LogError(LogErrorCode.Corrupt, `${path} is not valid JSON`, { cause: error })
  }
}

/** fsync of a directory, so that a create, rename or unlink in it survives a machine crash. */
export function syncDirectory(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** fdatasync of a file through a descriptor of its own (fsync flushes the file, whoever wrote it). */
export async function syncFile(path: string): Promise<void> {
  if (!existsSync(path)) return
  const handle = await open(path, 'r+')
  try {
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/** Blocking fsync of a file. */
export function syncFileNow(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

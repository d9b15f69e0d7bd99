// Read descriptors of sealed segments, bounded: an LRU of open files shared by the process, so
// a partition with thousands of segments does not exhaust file descriptors. The active segment
// keeps its own descriptor for appends.
import { closeSync, openSync } from 'node:fs'
import { ioError } from './errors.ts'

/** Sealed-segment files kept open at once, over all partitions of the process. */
export const SEALED_SEGMENT_FILES_MAX = 256

const openFiles = new Map<string, number>()

/** A read-only descriptor of `path`, opened on demand; valid until the next acquire of another file. */
export function acquireSegmentFile(path: string): number {
  const cached = openFiles.get(path)
  if (cached !== undefined) {
    // Refresh its place in the LRU order.
    openFiles.delete(path)
    openFiles.set(path, cached)
    return cached
  }
  if (openFiles.size >= SEALED_SEGMENT_FILES_MAX) {
    const [oldestPath, oldestFd] = openFiles.entries().next().value as [string, number]
    openFiles.delete(oldestPath)
    closeSync(oldestFd)
  }
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw ioError(`open segment ${path}`, error)
  }
  openFiles.set(path, fd)
  return fd
}

/** Closes the cached descriptor of `path`, if any (segment deleted or log closed). */
export function releaseSegmentFile(path: string): void {
  const fd = openFiles.get(path)
  if (fd === undefined) return
  openFiles.delete(path)
  closeSync(fd)
}

/** Number of sealed-segment descriptors open now (tests check the bound). */
export function openSegmentFileCount(): number {
  return openFiles.size
}

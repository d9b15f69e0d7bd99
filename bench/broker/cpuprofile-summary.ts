// Summarizes a V8 .cpuprofile (node --cpu-prof): where the time went, by function (self and
// inclusive time) and by file, plus the share of idle, GC and "(program)" (native work outside
// JS: syscalls, libuv, the parser). Self time of a sample is the gap to the next sample.
//
// Run: npx node bench/broker/cpuprofile-summary.ts FILE.cpuprofile [--top 30]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface TimeEntry {
  /** `function (file:line)` */
  name: string
  ms: number
  /** Share of the non-idle time. */
  share: number
}

export interface ProfileSummary {
  totalMs: number
  idleMs: number
  garbageCollectorMs: number
  programMs: number
  /** Sampled time minus idle: what the process spent working. */
  busyMs: number
  selfByFunction: TimeEntry[]
  inclusiveByFunction: TimeEntry[]
  selfByFile: TimeEntry[]
}

const repositoryRoot = join(import.meta.dirname, '..', '..')

function shortUrl(url: string): string {
  if (url === '') return ''
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url
  if (path.startsWith(`${repositoryRoot}/node_modules/`)) return path.slice(repositoryRoot.length + 1)
  if (path.startsWith(`${repositoryRoot}/`)) return path.slice(repositoryRoot.length + 1)
  return path
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
  const url = shortUrl(frame.url)
  return url === '' ? name : `${name} (${url}:${frame.lineNumber + 1})`
}

function ranked(times: Map<string, number>, busyMs: number, top: number): TimeEntry[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: busyMs === 0 ? 0 : ms / busyMs }))
}

/** A span of the profile's clock (CLOCK_MONOTONIC in µs, the same as process.hrtime). */
export interface ProfileWindow {
  startMicros: number
  endMicros: number
}

/** Aggregates a profile, only the samples inside `window` when given; `top` bounds each list. */
export function summarizeProfile(profile: CpuProfile, top = 30, window?: ProfileWindow): ProfileSummary {
  const byId = new Map<number, ProfileNode>()
  const parentOf = new Map<number, number>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parentOf.set(child, node.id)
  }
  const selfByNode = new Map<number, number>()
  let sampleMicros = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    sampleMicros += profile.timeDeltas[i]
    if (window !== undefined && (sampleMicros < window.startMicros || sampleMicros > window.endMicros)) continue
    const microseconds = profile.timeDeltas[i + 1] ?? 0
    selfByNode.set(profile.samples[i], (selfByNode.get(profile.samples[i]) ?? 0) + microseconds / 1000)
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const byFile = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  let garbageCollectorMs = 0
  let programMs = 0
  for (const [id, ms] of selfByNode) {
    const node = byId.get(id)!
    totalMs += ms
    const name = node.callFrame.functionName
    if (name === '(idle)') {
      idleMs += ms
      continue
    }
    if (name === '(garbage collector)') garbageCollectorMs += ms
    if (name === '(program)') programMs += ms
    const key = functionKey(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + ms)
    const file = shortUrl(node.callFrame.url) || name
    byFile.set(file, (byFile.get(file) ?? 0) + ms)
    // Inclusive: every distinct function on the stack gets the sample once (recursion counts once).
    const seen = new Set<string>()
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current)!.callFrame
      if (frame.functionName === '(root)') continue
      const frameKey = functionKey(frame)
      if (seen.has(frameKey)) continue
      seen.add(frameKey)
      inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + ms)
    }
  }
  const busyMs = totalMs - idleMs
  return {
    totalMs,
    idleMs,
    garbageCollectorMs,
    programMs,
    busyMs,
    selfByFunction: ranked(self, busyMs, top),
    inclusiveByFunction: ranked(inclusive, busyMs, top),
    selfByFile: ranked(byFile, busyMs, top),
  }
}

export function formatSummary(summary: ProfileSummary, title: string): string {
  const lines = [
    `== ${title}`,
    `sampled ${summary.totalMs.toFixed(0)} ms: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms; ` +
      `of busy: GC ${percent(summary.garbageCollectorMs, summary.busyMs)}, (program) ${percent(summary.programMs, summary.busyMs)}`,
  ]
  const section = (heading: string, entries: readonly TimeEntry[]): void => {
    lines.push(`-- ${heading} (ms, % of busy)`)
    for (const entry of entries) lines.push(`${entry.ms.toFixed(0).padStart(7)}  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`)
  }
  section('self time by function', summary.selfByFunction)
  section('self time by file', summary.selfByFile)
  section('inclusive time by function', summary.inclusiveByFunction)
  return lines.join('\n')
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`
}

if (import.meta.main) {
  const files = process.argv.slice(2).filter((argument, i, all) => !argument.startsWith('--') && all[i - 1] !== '--top')
  const topIndex = process.argv.indexOf('--top')
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 30
  if (files.length === 0) {
    console.error('usage: cpuprofile-summary.ts FILE.cpuprofile... [--top N]')
    process.exit(2)
  }
  for (const file of files) console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top), file))
}

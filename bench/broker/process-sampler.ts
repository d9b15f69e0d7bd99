// Per-process resource figures read from Linux /proc: resident memory (VmRSS, and the kernel's
// peak VmHWM, which we reset between phases through clear_refs) and CPU time (schedstat, else utime + stime).
// Also the CPU time of this process's reaped children (cutime + cstime), which is how the bench
// measures kcat's CPU: a kcat run's CPU is the difference across the run.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'

let clockTicksPerSecond: number | undefined

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicksPerSecond = 100
    }
  }
  return clockTicksPerSecond
}

/** Fields of /proc/PID/stat after the `(comm)` field, so index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return text.slice(text.lastIndexOf(')') + 2).split(' ')
}

/**
 * CPU time of a process (all its threads), in milliseconds: the sum of the threads'
 * /proc/PID/task/TID/schedstat run times (nanoseconds), else utime + stime from /proc/PID/stat,
 * which counts in clock ticks (10 ms): too coarse for a phase of a few tenths of a second.
 * A thread that exits during a phase takes its time with it; the brokers' threads live as long
 * as they do.
 */
export function processCpuMs(pid: number): number {
  try {
    let nanoseconds = 0
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // The thread exited between the listing and the read.
      }
    }
    if (nanoseconds > 0) return nanoseconds / 1e6
  } catch {
    // No schedstat (kernel without CONFIG_SCHED_INFO): fall back to the tick counts.
  }
  const fields = statFields(pid)
  // utime is field 14, stime field 15 (1-based) -> indexes 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond()
}

/**
 * CPU time of a process by thread name (`/proc/PID/task/TID/comm`: Node's `MainThread`, V8's
 * `V8Worker` helpers, which run concurrent marking, sweeping and optimizing compiles, libuv's
 * `libuv-worker`...), in milliseconds from schedstat; empty when schedstat is missing. V8's CPU
 * profiler samples the main thread only, so GC work on the helpers shows here and not there.
 */
export function processCpuByThreadMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>()
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim()
        const nanoseconds = Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
        byName.set(name, (byName.get(name) ?? 0) + nanoseconds / 1e6)
      } catch {
        // The thread exited between the listing and the read.
      }
    }
  } catch {
    // No /proc/PID/task: nothing to split.
  }
  return byName
}

/** User + system CPU time of this process's waited-for children, in milliseconds. */
export function reapedChildrenCpuMs(): number {
  const fields = statFields('self')
  // cutime is field 16, cstime field 17.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond()
}

export interface MemoryStatus {
  /** VmRSS: resident set size now. */
  rssBytes: number
  /** VmHWM: peak resident set size since start or the last resetPeakRss. */
  peakRssBytes: number
}

export function memoryStatus(pid: number): MemoryStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kibibytes = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
    return match === null ? 0 : Number(match[1]) * 1024
  }
  return { rssBytes: kibibytes('VmRSS'), peakRssBytes: kibibytes('VmHWM') }
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`). False when not permitted. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

export interface PhaseResources {
  elapsedMs: number
  /** Broker CPU (all threads) during the phase. */
  brokerCpuMs: number
  /** The same by thread name (see processCpuByThreadMs), largest first; empty without schedstat. */
  brokerCpuByThreadMs: [name: string, cpuMs: number][]
  /** Peak broker RSS during the phase: VmHWM if it could be reset, else the sampled maximum. */
  brokerPeakRssBytes: number
  /** CPU of the client processes (kcat) that finished during the phase. */
  clientCpuMs: number
}

/**
 * Measures one phase of load against a broker process: wall time, broker CPU and peak RSS, and
 * the CPU of child processes reaped meanwhile. RSS is also sampled every `sampleIntervalMs`, so the
 * peak is right even where clear_refs is not writable.
 */
export async function measurePhase<T>(pid: number, body: () => Promise<T>, sampleIntervalMs = 100): Promise<{ result: T; resources: PhaseResources }> {
  const hwmReset = resetPeakRss(pid)
  let sampledPeak = memoryStatus(pid).rssBytes
  const timer = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, memoryStatus(pid).rssBytes)
    } catch {
      // the process is gone; the phase will report its error
    }
  }, sampleIntervalMs)
  const cpuBefore = processCpuMs(pid)
  const threadsBefore = processCpuByThreadMs(pid)
  const childrenBefore = reapedChildrenCpuMs()
  const start = performance.now()
  try {
    const result = await body()
    const elapsedMs = performance.now() - start
    const memory = memoryStatus(pid)
    sampledPeak = Math.max(sampledPeak, memory.rssBytes)
    return {
      result,
      resources: {
        elapsedMs,
        brokerCpuMs: processCpuMs(pid) - cpuBefore,
        brokerCpuByThreadMs: cpuByThreadSince(pid, threadsBefore),
        brokerPeakRssBytes: hwmReset ? Math.max(memory.peakRssBytes, sampledPeak) : sampledPeak,
        clientCpuMs: reapedChildrenCpuMs() - childrenBefore,
      },
    }
  } finally {
    clearInterval(timer)
  }
}

/** CPU per thread name since `before` (a thread started meanwhile counts from zero). */
function cpuByThreadSince(pid: number, before: ReadonlyMap<string, number>): [string, number][] {
  const since: [string, number][] = []
  for (const [name, cpuMs] of processCpuByThreadMs(pid)) since.push([name, Math.max(0, cpuMs - (before.get(name) ?? 0))])
  return since.sort((left, right) => right[1] - left[1])
}

// Per-instance metrics as a typed object (and Prometheus text). Counters only grow; latencies
// keep count, sum and max so a scraper can derive averages; lag and restore progress are
// gauges per partition.

export interface LatencyMetric {
  count: number
  totalMs: number
  maxMs: number
}

export interface RestoreProgress {
  readonly store: string
  readonly topic: string
  readonly partition: number
  restoredRecords: number
  /** Records between the restore start offset and the end offset when the restore began. */
  totalRecords: number
  done: boolean
}

export interface KafkaStreamsMetrics {
  recordsIn: number
  recordsOut: number
  processLatency: LatencyMetric
  commitLatency: LatencyMetric
  commits: number
  /** Records dropped on purpose (late, null key, errors with continue policies), per reason. */
  droppedRecords: Record<string, number>
  /** `topic-partition` → records behind the partition's end at the last commit. */
  lag: Record<string, number>
  /** `store topic-partition` → restore progress. */
  restore: Record<string, RestoreProgress>
  rebalances: number
  activeTasks: number
  standbyTasks: number
}

export function emptyMetrics(): KafkaStreamsMetrics {
  return {
    recordsIn: 0,
    recordsOut: 0,
    processLatency: { count: 0, totalMs: 0, maxMs: 0 },
    commitLatency: { count: 0, totalMs: 0, maxMs: 0 },
    commits: 0,
    droppedRecords: {},
    lag: {},
    restore: {},
    rebalances: 0,
    activeTasks: 0,
    standbyTasks: 0,
  }
}

export function recordLatency(metric: LatencyMetric, elapsedMs: number): void {
  metric.count++
  metric.totalMs += elapsedMs
  if (elapsedMs > metric.maxMs) metric.maxMs = elapsedMs
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** Prometheus text exposition of one instance's metrics. */
export function toPrometheus(metrics: KafkaStreamsMetrics, applicationId: string): string {
  const app = `application_id="${label(applicationId)}"`
  const lines: string[] = [
    `tributary_streams_records_in_total{${app}} ${metrics.recordsIn}`,
    `tributary_streams_records_out_total{${app}} ${metrics.recordsOut}`,
    `tributary_streams_process_latency_ms_count{${app}} ${metrics.processLatency.count}`,
    `tributary_streams_process_latency_ms_sum{${app}} ${metrics.processLatency.totalMs}`,
    `tributary_streams_process_latency_ms_max{${app}} ${metrics.processLatency.maxMs}`,
    `tributary_streams_commit_latency_ms_count{${app}} ${metrics.commitLatency.count}`,
    `tributary_streams_commit_latency_ms_sum{${app}} ${metrics.commitLatency.totalMs}`,
    `tributary_streams_commit_latency_ms_max{${app}} ${metrics.commitLatency.maxMs}`,
    `tributary_streams_rebalances_total{${app}} ${metrics.rebalances}`,
    `tributary_streams_active_tasks{${app}} ${metrics.activeTasks}`,
    `tributary_streams_standby_tasks{${app}} ${metrics.standbyTasks}`,
  ]
  for (const [reason, count] of Object.entries(metrics.droppedRecords)) lines.push(`tributary_streams_dropped_records_total{${app},reason="${label(reason)}"} ${count}`)
  for (const [partition, lag] of Object.entries(metrics.lag)) lines.push(`tributary_streams_consumer_lag{${app},partition="${label(partition)}"} ${lag}`)
  for (const progress of Object.values(metrics.restore)) {
    const labels = `${app},store="${label(progress.store)}",partition="${label(`${progress.topic}-${progress.partition}`)}"`
    lines.push(`tributary_streams_restored_records{${labels}} ${progress.restoredRecords}`)
    lines.push(`tributary_streams_restore_total_records{${labels}} ${progress.totalRecords}`)
  }
  return `${lines.join('\n')}\n`
}

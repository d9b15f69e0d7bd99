// The two implementations under test, behind one small interface the bench drives and polls:
// KafkaStreams (at_least_once or exactly_once_v2) read through its window store (interactive
// query), and a plain consumer loop with an in-memory Map (no guarantees).
import { createConsumer, createProducer, type ProducerRecord } from '@tributary/client'
import { KafkaStreams } from '@tributary/streams'
import { COUNT_STORE, PlainWindowCounts, ysbTopology, type AdEvent } from './ysb-model.ts'

export type Mode = 'plain' | 'at_least_once' | 'exactly_once_v2'

export interface YsbApp {
  /** Partitions assigned (plain) / active tasks running (KafkaStreams): records flow from now on. */
  ready(): boolean
  /** Records of the source topic consumed so far (plain: consumed; KafkaStreams: processed by all tasks, source and repartition). */
  progress(): number
  /** The count of `campaign` in the window starting at `windowStartMs` visible now, or null (none yet, or expired). */
  count(campaign: string, windowStartMs: number): number | null
  /** KafkaStreams only: commit and poll-batch processing latencies so far (avg/max ms). */
  latencies?(): string
  close(): Promise<void>
}

export interface AppOptions {
  readonly bootstrapServers: string
  readonly sourceTopic: string
  readonly applicationId: string
  readonly maxPollRecords: number
  /** KafkaStreams only. */
  readonly commitIntervalMs: number
  /** KafkaStreams only: the record cache budget (undefined: KafkaStreams' default, 10 MiB; 0: no cache). */
  readonly cacheMaxBytes?: number
  /** KafkaStreams only: its pollMs (also its fetch wait); undefined: its default (100). */
  readonly streamsPollMs?: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export async function startApp(mode: Mode, options: AppOptions): Promise<YsbApp> {
  return mode === 'plain' ? startPlainLoop(options) : startStreams(mode, options)
}

async function startStreams(mode: 'at_least_once' | 'exactly_once_v2', options: AppOptions): Promise<YsbApp> {
  const streams = new KafkaStreams(ysbTopology(options.sourceTopic), {
    applicationId: options.applicationId, bootstrapServers: options.bootstrapServers, processingGuarantee: mode,
    commitIntervalMs: options.commitIntervalMs, maxPollRecords: options.maxPollRecords, logger: { warn: () => undefined }, cacheMaxBytes: options.cacheMaxBytes, pollMs: options.streamsPollMs,
  })
  await streams.start()
  await streams.waitForState('RUNNING', 60_000)
  return {
    ready: () => streams.state === 'RUNNING' && streams.metrics().activeTasks > 0,
    progress: () => streams.metrics().recordsIn,
    count: (campaign, windowStartMs) => {
      try {
        const value = streams.store<string, number>(COUNT_STORE, 'window').fetch(campaign, windowStartMs)
        return value === null ? null : Number(value)
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable === true) return null // rebalancing or restoring
        throw error
      }
    },
    latencies: () => {
      const { commitLatency: commit, processLatency: process } = streams.metrics()
      const average = (metric: { count: number; totalMs: number }): string => (metric.count === 0 ? '–' : (metric.totalMs / metric.count).toFixed(1))
      return `commits ${commit.count} (avg ${average(commit)} ms, max ${commit.maxMs.toFixed(0)} ms), poll batches ${process.count} (avg ${average(process)} ms, max ${process.maxMs.toFixed(0)} ms)`
    },
    close: () => streams.close(),
  }
}

/** Consume, parse, filter, look up, count per window in a Map, produce closed windows; commits after each batch, no transactions. */
async function startPlainLoop(options: AppOptions): Promise<YsbApp> {
  const consumer = createConsumer({ bootstrapServers: options.bootstrapServers, groupId: options.applicationId, autoOffsetReset: 'earliest', maxPollRecords: options.maxPollRecords })
  const producer = createProducer({ bootstrapServers: options.bootstrapServers, idempotent: true, lingerMs: 5 })
  const windows = new PlainWindowCounts()
  let consumed = 0
  let stopped = false
  consumer.subscribe([options.sourceTopic])
  const loop = (async () => {
    while (!stopped) {
      const batch = await consumer.poll({ timeoutMs: 200 })
      const out: ProducerRecord[] = []
      const emit = (campaign: string, windowStart: number, count: number): void => {
        out.push({ topic: 'plain-counts', key: encoder.encode(`${campaign}@${windowStart}`), value: encoder.encode(String(count)) })
      }
      for (const record of batch) {
        consumed++
        windows.add(JSON.parse(decoder.decode(record.value!)) as AdEvent, emit)
      }
      if (out.length > 0) await producer.send(out)
      if (batch.length > 0) await consumer.commit()
    }
  })()
  return {
    ready: () => consumer.assignment().length > 0,
    progress: () => consumed,
    count: (campaign, windowStartMs) => windows.count(campaign, windowStartMs),
    async close() {
      stopped = true
      await loop
      await producer.flush()
      await producer.close()
      await consumer.close()
    },
  }
}

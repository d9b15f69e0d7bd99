// The paced load of ysb-eos.bench.ts, in its own worker thread: the generator is the load, not
// the system under test, so its JSON encoding and producing must not hold up the event loop the
// measured application and the poller run on. Event i is due at startMs + i / rate; its
// event_time is that scheduled time whether or not this thread is late (no coordinated omission).
// The main thread follows the same schedule with viewPlan (same seed) to know the views.
import { parentPort, workerData } from 'node:worker_threads'
import { createProducer } from '@tributary/client'
import { eventSource } from './ysb-model.ts'

export interface GeneratorData {
  readonly bootstrapServers: string
  readonly topic: string
  readonly ratePerSecond: number
  readonly startMs: number
  readonly pacedSeconds: number
  readonly seed: number
}

export interface GeneratorResult {
  readonly sent: number
  readonly error?: string
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function generate(data: GeneratorData): Promise<number> {
  const { topic, ratePerSecond, startMs, pacedSeconds } = data
  const producer = createProducer({ bootstrapServers: data.bootstrapServers, idempotent: true, lingerMs: 0 })
  const next = eventSource(data.seed)
  const total = Math.floor(pacedSeconds * ratePerSecond)
  let sent = 0
  let outstandingBytes = 0 // queued + in flight; kept < 512 KiB so one merged produce request stays under the broker's 1 MiB max.message.bytes
  let sendError: unknown
  while (Date.now() < startMs) await sleep(1)
  // Every event of the schedule is sent, the last ones due at endMs (a late generator sends them late).
  for (let now = Date.now(); sent < total && sendError === undefined; now = Date.now()) {
    const due = Math.min(Math.floor(((now - startMs) * ratePerSecond) / 1000), total)
    if (due > sent) {
      const batch = []
      let bytes = 0
      for (; sent < due && outstandingBytes + bytes < 512 * 1024; sent++) {
        const event = next(Math.floor(startMs + (sent * 1000) / ratePerSecond))
        batch.push({ topic, key: null, value: event.value })
        bytes += event.value.length
      }
      outstandingBytes += bytes
      if (batch.length > 0) producer.send(batch).then(() => { outstandingBytes -= bytes }, (error: unknown) => { sendError ??= error })
    }
    await sleep(2)
  }
  await producer.close()
  if (sendError !== undefined) throw sendError
  return sent
}

if (parentPort !== null) {
  const port = parentPort
  generate(workerData as GeneratorData).then(
    (sent) => port.postMessage({ sent } satisfies GeneratorResult),
    (error: unknown) => port.postMessage({ sent: -1, error: String(error) } satisfies GeneratorResult),
  )
}

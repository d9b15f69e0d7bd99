import { join } from 'node:path'
import { readdirSync, statSync, truncateSync } from 'node:fs'
import { openPartitionLog } from '/work/main/packages/log/src/partition-open.ts'
import { resolveTopicConfig } from '/work/main/packages/log/src/topic-config.ts'
import { makeBatch, recordsOf, temporaryDirectory } from '/work/main/packages/log/src/testing/fixtures.ts'
const config = resolveTopicConfig({ 'segment.bytes': '1500', 'index.interval.bytes': '200' })
let partial = 0, full = 0, mismatches = 0
for (let run = 0; run < 200; run++) {
  const d = temporaryDirectory(); const dir = join(d.path, 't-0')
  const messages: string[] = []
  const open = () => openPartitionLog({ dir, topic: 't', partition: 0, config, flushPolicy: 'os', cleanShutdown: false, nowMs: 0, onRecovery: (m) => messages.push(m) })
  let log = open(); let n = 0
  for (let step = 0; step < 30; step++) {
    const r = Math.random()
    if (r < 0.7) { const k = 1 + Math.floor(Math.random() * 5); log.append(makeBatch({ count: k, valueBytes: 30 }), { timestampType: 'CreateTime', nowMs: 0 }); n += k }
    else if (r < 0.85) { await log.flush(); log.runRetention(0) }
    else { log.abandon(); if (Math.random() < 0.5) { const last = readdirSync(dir).filter((x) => x.endsWith('.log')).sort().pop()!; const size = statSync(join(dir, last)).size; truncateSync(join(dir, last), Math.max(0, size - 1 - Math.floor(Math.random() * 80))) } log = open(); n = Number(log.logEndOffset) }
    let next = 0n; const got: bigint[] = []
    while (next < log.logEndOffset) { const rs = recordsOf(log.read(next, 500).records).filter((x) => x.offset >= next); got.push(...rs.map((x) => x.offset)); next = rs[rs.length - 1].offset + 1n }
    if (got.length !== n || got.some((o, i) => o !== BigInt(i))) mismatches++
  }
  for (const m of messages) { const x = /re-validated (\d+) of (\d+)/.exec(m); if (x) { if (Number(x[1]) < Number(x[2])) partial++; else full++ } }
  log.abandon(); d.remove()
}
console.log({ partial, full, mismatches })

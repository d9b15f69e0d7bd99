// Deterministic keyed records and the check that a consumer got them back intact.
import type { ConsumedRecord, KeyedRecord } from './client-driver.ts'

const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_=+!?'

/**
 * `count` records with 1000 distinct keys and ~100-byte printable values that carry their
 * index (`<label>-<index>|...`), half random (so compression has work) and half repetitive.
 */
export function makeRecords(count: number, label: string, seed = 1): KeyedRecord[] {
  let state = seed >>> 0
  const random = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state }
  const records: KeyedRecord[] = []
  for (let index = 0; index < count; index++) {
    let noise = ''
    for (let i = 0; i < 40; i++) noise += alphabet[random() % alphabet.length]
    records.push({ key: `key-${index % 1000}`, value: `${label}-${index}|${noise}|${'payload '.repeat(6)}` })
  }
  return records
}

/** Index a value was made with (see makeRecords). */
export function recordIndex(value: string): number {
  return Number(value.slice(value.lastIndexOf('-', value.indexOf('|')) + 1, value.indexOf('|')))
}

/**
 * Throws with the first few discrepancies unless `consumed` holds exactly `produced` (same key,
 * same value bytes, no loss, no duplicate), every key stays in one partition, offsets are unique
 * per partition, and within a partition records appear in the order of `produced`.
 */
export function verifyConsumed(produced: readonly KeyedRecord[], consumed: readonly ConsumedRecord[]): void {
  const problems: string[] = []
  const report = (problem: string) => { if (problems.length < 10) problems.push(problem) }
  const keyOf = new Map(produced.map((record) => [record.value, record.key]))
  const seen = new Set<string>()
  const partitionOfKey = new Map<string, number>()
  for (const record of consumed) {
    const expectedKey = keyOf.get(record.value)
    if (expectedKey === undefined) report(`unexpected value at ${record.partition}/${record.offset}: ${JSON.stringify(record.value.slice(0, 60))}`)
    else if (expectedKey !== record.key) report(`key ${JSON.stringify(record.key)} where ${JSON.stringify(expectedKey)} was produced (${record.partition}/${record.offset})`)
    if (seen.has(record.value)) report(`duplicate at ${record.partition}/${record.offset}: ${record.value.slice(0, 40)}`)
    seen.add(record.value)
    const partition = partitionOfKey.get(record.key)
    if (partition !== undefined && partition !== record.partition) report(`key ${record.key} in partitions ${partition} and ${record.partition}`)
    partitionOfKey.set(record.key, record.partition)
  }
  if (seen.size !== produced.length) report(`consumed ${seen.size} distinct of ${produced.length} produced records (${consumed.length} deliveries)`)
  const position = new Map(produced.map((record, index) => [record.value, index]))
  const byPartition = new Map<number, ConsumedRecord[]>()
  for (const record of consumed) {
    const records = byPartition.get(record.partition)
    if (records) records.push(record); else byPartition.set(record.partition, [record])
  }
  for (const [partition, records] of byPartition) {
    records.sort((a, b) => a.offset - b.offset)
    for (let i = 1; i < records.length; i++) {
      if (records[i].offset === records[i - 1].offset) report(`partition ${partition}: offset ${records[i].offset} twice`)
      const [previous, current] = [position.get(records[i - 1].value) ?? -1, position.get(records[i].value) ?? -1]
      if (current <= previous) {
        report(`partition ${partition}: record #${current} at offset ${records[i].offset} after record #${previous} at ${records[i - 1].offset}`)
      }
    }
  }
  if (problems.length > 0) throw new Error(`consumed records differ from produced:\n  ${problems.join('\n  ')}`)
}

/** Per partition, the first offset whose timestamp is ≥ timestampMs (-1 when none): offsetsForTimes' contract. */
export function expectedOffsetsForTime(consumed: readonly ConsumedRecord[], partitions: number, timestampMs: number): Map<number, number> {
  const expected = new Map<number, number>()
  for (let partition = 0; partition < partitions; partition++) expected.set(partition, -1)
  for (const record of consumed) {
    if (record.timestampMs < timestampMs) continue
    const current = expected.get(record.partition) ?? -1
    if (current === -1 || record.offset < current) expected.set(record.partition, record.offset)
  }
  return expected
}

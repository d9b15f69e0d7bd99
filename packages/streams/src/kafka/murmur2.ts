// Kafka's default partitioner for keyed records: murmur2 (seed 0x9747b28c) of the serialized
// key, made positive with `& 0x7fffffff`, modulo the partition count. Interactive queries use
// it to find the partition (and so the task and instance) that holds a key; it must agree with
// the producer's choice, which a test checks against the client over a real broker.

const seed = 0x9747b28c
const multiplier = 0x5bd1e995

export function murmur2(data: Uint8Array): number {
  const length = data.length
  let hash = (seed ^ length) | 0
  const whole = length & ~3
  for (let index = 0; index < whole; index += 4) {
    let k = data[index] | (data[index + 1] << 8) | (data[index + 2] << 16) | (data[index + 3] << 24)
    k = Math.imul(k, multiplier)
    k ^= k >>> 24
    k = Math.imul(k, multiplier)
    hash = Math.imul(hash, multiplier) ^ k
  }
  const rest = length & 3
  if (rest === 3) hash ^= data[whole + 2] << 16
  if (rest >= 2) hash ^= data[whole + 1] << 8
  if (rest >= 1) {
    hash ^= data[whole]
    hash = Math.imul(hash, multiplier)
  }
  hash ^= hash >>> 13
  hash = Math.imul(hash, multiplier)
  hash ^= hash >>> 15
  return hash | 0
}

/** The partition Kafka's default partitioner picks for a serialized key. */
export function partitionForKey(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions
}

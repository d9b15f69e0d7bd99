// KafkaJS 2.2 (pure JavaScript), in process. KafkaJS ships only gzip; snappy, lz4 and zstd are
// plug-in codecs, registered here over the snappy and lz4-napi packages and node:zlib's zstd.
import kafkajs from 'kafkajs'
import type { Admin, Kafka as KafkaClient } from 'kafkajs'
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy'
import { compressFrameSync, decompressFrameSync } from 'lz4-napi'
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import type { ClientDriver, Codec, ConsumedRecord } from '../client-driver.ts'
import { codecs } from '../client-driver.ts'

const { Kafka, CompressionTypes, CompressionCodecs, ConfigResourceTypes, logLevel } = kafkajs
const timeoutMs = 120_000
const produceChunkRecords = 2000

type Encoder = { buffer: Buffer }
const codec = (compress: (data: Buffer) => Buffer, decompress: (data: Buffer) => Buffer) => () => ({
  compress: async (encoder: Encoder) => compress(encoder.buffer),
  decompress: async (data: Buffer) => decompress(data),
})

/** Snappy as Kafka carries it: raw, or in xerial/snappy-java framing (what the Java producer writes). */
function snappyDecompress(data: Buffer): Buffer {
  const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
  if (data.length < 16 || !data.subarray(0, 8).equals(xerialMagic)) return snappyUncompress(data) as Buffer
  const chunks: Buffer[] = []
  for (let offset = 16; offset < data.length;) {
    const size = data.readInt32BE(offset)
    chunks.push(snappyUncompress(data.subarray(offset + 4, offset + 4 + size)) as Buffer)
    offset += 4 + size
  }
  return Buffer.concat(chunks)
}

CompressionCodecs[CompressionTypes.Snappy] = codec((data) => snappyCompress(data), snappyDecompress)
CompressionCodecs[CompressionTypes.LZ4] = codec((data) => compressFrameSync(data), (data) => decompressFrameSync(data))
CompressionCodecs[CompressionTypes.ZSTD] = codec((data) => zstdCompressSync(data), (data) => zstdDecompressSync(data))

const compressionTypes: Record<Codec, number> = {
  none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
}

const client = (bootstrap: string): KafkaClient =>
  new Kafka({ clientId: 'compat-kafkajs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } })

async function withAdmin<T>(bootstrap: string, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = client(bootstrap).admin()
  await admin.connect()
  try { return await body(admin) } finally { await admin.disconnect() }
}

export const kafkaJs: ClientDriver = {
  name: 'kafkajs',
  unavailable: () => undefined,
  codecs: { supported: codecs },
  consumesThroughGroup: true,
  metadata: (bootstrap, topics) => withAdmin(bootstrap, async (admin) => {
    const cluster = await admin.describeCluster()
    const metadata = await admin.fetchTopicMetadata(topics.length ? { topics } : undefined)
    return {
      brokers: cluster.brokers.map((broker) => ({ nodeId: broker.nodeId, host: broker.host, port: broker.port })),
      topics: metadata.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.length })),
    }
  }),
  async produce(bootstrap, { topic, records, compression, idempotent }) {
    const producer = client(bootstrap).producer({ idempotent: idempotent === true, allowAutoTopicCreation: false })
    await producer.connect()
    try {
      for (let start = 0; start < records.length; start += produceChunkRecords) {
        const messages = records.slice(start, start + produceChunkRecords)
        await producer.send({ topic, compression: compressionTypes[compression], acks: -1, messages })
      }
    } finally { await producer.disconnect() }
  },
  async consume(bootstrap, { topic, count, group, commit }) {
    const consumer = client(bootstrap).consumer({ groupId: group ?? `compat-${topic}-${process.pid}-${Date.now()}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 500, readUncommitted: false })
    const consumed: ConsumedRecord[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await new Promise<void>((resolveDone, reject) => {
        const deadline = setTimeout(() => reject(new Error(`consumed ${consumed.length} of ${count} records within ${timeoutMs} ms`)), timeoutMs)
        consumer.on(consumer.events.CRASH, (event) => { clearTimeout(deadline); reject(event.payload.error) })
        consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              consumed.push({ partition: batch.partition, offset: Number(message.offset), key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', timestampMs: Number(message.timestamp) })
            }
            if (consumed.length >= count) { clearTimeout(deadline); resolveDone() }
          },
        }).catch(reject)
      })
      if (commit === true && group !== undefined) {
        const next = new Map<number, number>()
        for (const record of consumed) next.set(record.partition, Math.max(next.get(record.partition) ?? 0, record.offset + 1))
        await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })))
      }
    } finally { await consumer.disconnect() }
    return consumed
  },
  async produceTransactions(bootstrap, { topic, transactionalId, transactions }) {
    const producer = client(bootstrap).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      for (const { records, commit } of transactions) {
        const transaction = await producer.transaction()
        await transaction.send({ topic, acks: -1, messages: [...records] })
        if (commit) await transaction.commit(); else await transaction.abort()
      }
    } finally { await producer.disconnect() }
  },
  createTopic: (bootstrap, topic, partitions) => withAdmin(bootstrap, async (admin) => {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
    if (!created) throw new Error(`createTopics(${topic}) returned false (topic already exists)`)
  }),
  deleteTopic: (bootstrap, topic) => withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics: [topic] })),
  // admin.fetchTopicOffsetsByTimestamp replaces the broker's -1 with the high watermark.
  offsetsForTimesPastEnd: 'high-watermark',
  offsetsForTimes: (bootstrap, topic, _partitions, timestampMs) => withAdmin(bootstrap, async (admin) => {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs)
    return new Map(offsets.map((entry) => [entry.partition, Number(entry.offset)]))
  }),
  describeConfigs: (bootstrap, topic) => withAdmin(bootstrap, async (admin) => {
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false })
    return Object.fromEntries(described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]))
  }),
  alterConfigs: (bootstrap, topic, configs) => withAdmin(bootstrap, async (admin) => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] })
  }),
}

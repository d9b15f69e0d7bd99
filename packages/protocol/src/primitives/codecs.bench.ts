// Micro-benchmarks of the primitives and the generated codecs on the broker's hot paths:
// varints, short strings, ProduceRequest decode, FetchResponse encode, MetadataResponse both ways.
// Run: npx node packages/protocol/src/primitives/codecs.bench.ts [--quick]
import { FetchResponse } from '../generated/messages/fetch.ts'
import { MetadataResponse } from '../generated/messages/metadata.ts'
import { ProduceRequest } from '../generated/messages/produce.ts'
import { Reader } from './reader.ts'
import { Writer } from './writer.ts'

const minTimeMs = process.argv.includes('--quick') ? 100 : 500

function measure(name: string, operation: () => void): void {
  for (let warmup = 0; warmup < 1000; warmup++) operation()
  let iterations = 0
  const start = performance.now()
  let elapsedMs = 0
  while (elapsedMs < minTimeMs) {
    for (let batch = 0; batch < 100; batch++) operation()
    iterations += 100
    elapsedMs = performance.now() - start
  }
  const nanosecondsPerOperation = (elapsedMs * 1e6) / iterations
  console.log(`${name.padEnd(58)} ${nanosecondsPerOperation.toFixed(0).padStart(9)} ns/op`)
}

const varintWriter = new Writer({ initialBytes: 5000 })
for (let value = 0; value < 1000; value++) varintWriter.writeVarint(value * 7919 - 3_000_000)
const varintBytes = varintWriter.finish().slice()
measure('1000 zigzag varints: read', () => {
  const reader = new Reader(varintBytes)
  for (let index = 0; index < 1000; index++) reader.readVarint()
})
measure('1000 zigzag varints: write', () => {
  const writer = new Writer({ initialBytes: 5000 })
  for (let value = 0; value < 1000; value++) writer.writeVarint(value * 7919 - 3_000_000)
})
const stringWriter = new Writer()
stringWriter.writeCompactString('orders-eu-west-1')
const stringBytes = stringWriter.finish().slice()
measure('compact string of 16 ASCII bytes: read', () => new Reader(stringBytes).readCompactString())

const records = new Uint8Array(16 * 1024)
const produce = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: Array.from({ length: 8 }, (_, index) => ({ index, records })) }] }
const produceBytes = ProduceRequest.encode(produce, 11).slice()
measure('ProduceRequest v11 decode (8 partitions, 16 KiB records each)', () => ProduceRequest.decode(produceBytes, 11))
measure('ProduceRequest v11 encode', () => ProduceRequest.encode(produce, 11))

const fetchPartition = (partitionIndex: number) => ({
  partitionIndex, errorCode: 0, highWatermark: 1000n, lastStableOffset: 1000n, logStartOffset: 0n,
  divergingEpoch: { epoch: -1, endOffset: -1n }, currentLeader: { leaderId: -1, leaderEpoch: -1 }, snapshotId: { endOffset: -1n, epoch: -1 },
  abortedTransactions: null, preferredReadReplica: -1, records,
})
const fetch = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: '', topicId: '3f2a9c1e-0000-4000-8000-0000000000aa', partitions: Array.from({ length: 8 }, (_, index) => fetchPartition(index)) }], nodeEndpoints: [] }
measure('FetchResponse v16 encode (8 partitions, 16 KiB records each)', () => FetchResponse.encode(fetch, 16))

const partitions = Array.from({ length: 100 }, (_, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }))
const metadata = {
  throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }], clusterId: 'cluster', controllerId: 1, clusterAuthorizedOperations: -2147483648,
  topics: Array.from({ length: 10 }, (_, topic) => ({ errorCode: 0, name: `topic-${topic}`, topicId: `00000000-0000-4000-8000-00000000000${topic}`, isInternal: false, partitions, topicAuthorizedOperations: -2147483648 })),
}
const metadataBytes = MetadataResponse.encode(metadata, 12).slice()
measure('MetadataResponse v12 encode (10 topics x 100 partitions)', () => MetadataResponse.encode(metadata, 12))
measure('MetadataResponse v12 decode', () => MetadataResponse.decode(metadataBytes, 12))

// Golden bytes from independent implementations: requests encoded by kafkajs (classic versions)
// and by @platformatic/kafka (flexible versions) decode with our codecs to the expected values
// and re-encode to the very same bytes; responses we encode parse with @platformatic/kafka.
// Their internals are reached by file path: these are test-only reference encoders.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as protocol from '@tributary/protocol'
import { repoRoot } from './paths.ts'

const require = createRequire(import.meta.url)
const kafkajsRequests = join(repoRoot, 'node_modules', 'kafkajs', 'src', 'protocol', 'requests')
const platformaticApis = join(repoRoot, 'node_modules', '@platformatic', 'kafka', 'dist', 'apis')

async function kafkajsBytes(path: string, args: unknown): Promise<Uint8Array> {
  const build = require(join(kafkajsRequests, path, 'request.js')) as (input: unknown) => { encode: () => Promise<{ buffer: Buffer }> }
  const encoder = await build(args).encode()
  return new Uint8Array(encoder.buffer)
}

async function platformatic(path: string): Promise<any> {
  return import(pathToFileURL(join(platformaticApis, `${path}.js`)).href)
}

function platformaticBytes(writer: { buffer: Buffer }): Uint8Array {
  return new Uint8Array(writer.buffer)
}

/** Decodes with our codec, checks `expected` fields, and re-encodes to identical bytes. */
function checkRequest(codec: protocol.MessageCodec<any>, version: number, bytes: Uint8Array, expected: Record<string, unknown>): void {
  const decoded = codec.decode(bytes, version)
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(decoded[key], value, `${codec.name} v${version}: ${key}`)
  assert.deepEqual([...codec.encode(decoded, version)], [...bytes], `${codec.name} v${version} re-encodes to the reference bytes`)
}

describe('requests encoded by kafkajs', () => {
  test('ApiVersions v0-2 and Metadata v0-6', async () => {
    for (const version of [0, 1, 2]) checkRequest(protocol.ApiVersionsRequest, version, await kafkajsBytes(`apiVersions/v${version}`, {}), {})
    for (const version of [1, 2, 3, 4, 5, 6]) {
      const bytes = await kafkajsBytes(`metadata/v${version}`, { topics: ['orders', 'payments'], allowAutoTopicCreation: false })
      const topics = [{ name: 'orders' }, { name: 'payments' }].map((topic) => ({ ...topic, topicId: protocol.ZERO_UUID }))
      checkRequest(protocol.MetadataRequest, version, bytes, { topics, allowAutoTopicCreation: version >= 4 ? false : true })
    }
  })

  test('group APIs: JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v5, OffsetFetch v4, FindCoordinator v2', async () => {
    const metadata = Buffer.from([0, 1, 2, 3])
    checkRequest(protocol.JoinGroupRequest, 5, await kafkajsBytes('joinGroup/v5', {
      groupId: 'group', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: 'instance-1',
      protocolType: 'consumer', groupProtocols: [{ name: 'range', metadata }],
    }), { groupId: 'group', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: '', groupInstanceId: 'instance-1', protocolType: 'consumer' })
    checkRequest(protocol.SyncGroupRequest, 3, await kafkajsBytes('syncGroup/v3', {
      groupId: 'group', generationId: 4, memberId: 'member-1', groupAssignment: [{ memberId: 'member-1', memberAssignment: metadata }],
    }), { generationId: 4, groupInstanceId: null, assignments: [{ memberId: 'member-1', assignment: new Uint8Array(metadata) }] })
    checkRequest(protocol.HeartbeatRequest, 3, await kafkajsBytes('heartbeat/v3', { groupId: 'group', groupGenerationId: 4, memberId: 'member-1' }),
      { groupId: 'group', generationId: 4, memberId: 'member-1', groupInstanceId: null })
    checkRequest(protocol.OffsetCommitRequest, 5, await kafkajsBytes('offsetCommit/v5', {
      groupId: 'group', groupGenerationId: 4, memberId: 'member-1', topics: [{ topic: 'orders', partitions: [{ partition: 2, offset: '42' }] }],
    }), { topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, committedOffset: 42n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }] })
    checkRequest(protocol.OffsetFetchRequest, 4, await kafkajsBytes('offsetFetch/v4', { groupId: 'group', topics: [{ topic: 'orders', partitions: [{ partition: 0 }] }] }),
      { groupId: 'group', topics: [{ name: 'orders', partitionIndexes: [0] }] })
    checkRequest(protocol.FindCoordinatorRequest, 2, await kafkajsBytes('findCoordinator/v2', { coordinatorKey: 'group', coordinatorType: 0 }),
      { key: 'group', keyType: 0 })
  })

  test('Fetch v11 and ListOffsets v3', async () => {
    checkRequest(protocol.FetchRequest, 11, await kafkajsBytes('fetch/v11', {
      replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 1048576, isolationLevel: 1, rackId: 'rack-a',
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '100', maxBytes: 65536 }] }],
    }), { replicaId: -1, maxWaitMs: 500, isolationLevel: 1, sessionEpoch: -1, rackId: 'rack-a' })
    checkRequest(protocol.ListOffsetsRequest, 3, await kafkajsBytes('listOffsets/v3', {
      replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }] }],
    }), { replicaId: -1, isolationLevel: 1 })
  })
})

describe('requests encoded by @platformatic/kafka (flexible versions)', () => {
  test('ApiVersions v4, Metadata v12, FindCoordinator v6', async () => {
    const apiVersions = await platformatic('metadata/api-versions-v4')
    checkRequest(protocol.ApiVersionsRequest, 4, platformaticBytes(apiVersions.createRequest('tributary-test', '1.0.0')),
      { clientSoftwareName: 'tributary-test', clientSoftwareVersion: '1.0.0' })
    const metadata = await platformatic('metadata/metadata-v12')
    checkRequest(protocol.MetadataRequest, 12, platformaticBytes(metadata.createRequest(['orders'], true, false)),
      { topics: [{ topicId: protocol.ZERO_UUID, name: 'orders' }], allowAutoTopicCreation: true })
    const findCoordinator = await platformatic('metadata/find-coordinator-v6')
    checkRequest(protocol.FindCoordinatorRequest, 6, platformaticBytes(findCoordinator.createRequest(1, ['tx-1', 'tx-2'])),
      { keyType: 1, coordinatorKeys: ['tx-1', 'tx-2'] })
  })

  test('Fetch v17, JoinGroup v9, SyncGroup v5, OffsetCommit v9, ListOffsets v9, InitProducerId v5', async () => {
    const topicId = '3f2a9c1e-0000-4000-8000-0000000000aa'
    const fetch = await platformatic('consumer/fetch-v17')
    checkRequest(protocol.FetchRequest, 17, platformaticBytes(fetch.createRequest(500, 1, 1048576, 0, 0, -1,
      [{ topicId, partitions: [{ partition: 3, currentLeaderEpoch: 2, fetchOffset: 100n, lastFetchedEpoch: -1, partitionMaxBytes: 65536 }] }], [], '')),
    { maxWaitMs: 500, topics: [{ topicId, topic: '', partitions: [{ partition: 3, currentLeaderEpoch: 2, fetchOffset: 100n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 65536, replicaDirectoryId: protocol.ZERO_UUID }] }] })
    const joinGroup = await platformatic('consumer/join-group-v9')
    checkRequest(protocol.JoinGroupRequest, 9, platformaticBytes(joinGroup.createRequest('group', 45000, 300000, '', null, 'consumer', [{ name: 'cooperative-sticky', metadata: Buffer.from([1, 2]) }], 'joining')),
      { groupInstanceId: null, reason: 'joining', protocols: [{ name: 'cooperative-sticky', metadata: new Uint8Array([1, 2]) }] })
    const syncGroup = await platformatic('consumer/sync-group-v5')
    checkRequest(protocol.SyncGroupRequest, 5, platformaticBytes(syncGroup.createRequest('group', 7, 'member-1', null, 'consumer', 'range', [{ memberId: 'member-1', assignment: Buffer.from([9]) }])),
      { generationId: 7, protocolType: 'consumer', protocolName: 'range' })
    const offsetCommit = await platformatic('consumer/offset-commit-v9')
    checkRequest(protocol.OffsetCommitRequest, 9, platformaticBytes(offsetCommit.createRequest('group', 7, 'member-1', null,
      [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, committedMetadata: null }] }])),
    { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, commitTimestamp: -1n, committedMetadata: null }] }] })
    const listOffsets = await platformatic('consumer/list-offsets-v9')
    checkRequest(protocol.ListOffsetsRequest, 9, platformaticBytes(listOffsets.createRequest(-1, 1, [{ name: 'orders', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }])),
      { isolationLevel: 1 })
    const initProducerId = await platformatic('producer/init-producer-id-v5')
    checkRequest(protocol.InitProducerIdRequest, 5, platformaticBytes(initProducerId.createRequest('tx-1', 60000, -1n, -1)),
      { transactionalId: 'tx-1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  })
})

describe('responses we encode parse with @platformatic/kafka', () => {
  async function parse(path: string, apiKey: number, version: number, bytes: Uint8Array): Promise<any> {
    const api = await platformatic(path)
    const { Reader } = await import(pathToFileURL(join(platformaticApis, '..', 'protocol', 'reader.js')).href)
    return api.parseResponse(1, apiKey, version, Reader.from(Buffer.from(bytes)))
  }

  test('FindCoordinator v6 and SyncGroup v5', async () => {
    const coordinators = [{ key: 'group', nodeId: 1, host: 'localhost', port: 9092, errorCode: 0, errorMessage: null }]
    const findCoordinator = protocol.FindCoordinatorResponse.encode({
      throttleTimeMs: 5, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0, coordinators,
    }, 6)
    assert.deepEqual(await parse('metadata/find-coordinator-v6', protocol.ApiKey.FindCoordinator, 6, findCoordinator), { throttleTimeMs: 5, coordinators })
    const syncGroup = protocol.SyncGroupResponse.encode({ throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: new Uint8Array([1, 2, 3]) }, 5)
    const parsed = await parse('consumer/sync-group-v5', protocol.ApiKey.SyncGroup, 5, syncGroup)
    assert.equal(parsed.protocolName, 'range')
    assert.deepEqual([...parsed.assignment], [1, 2, 3])
  })
})

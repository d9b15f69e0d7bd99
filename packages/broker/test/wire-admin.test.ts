// Topic administration and configs over a real socket: CreateTopics, DeleteTopics,
// CreatePartitions, Metadata auto-creation, DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs, DescribeCluster, ApiVersions.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode, Writer, Reader, ApiVersionsResponse, ZERO_UUID } from '@tributary/protocol'
import type { CreateTopicsResponse, DeleteTopicsResponse, DescribeConfigsResponse, IncrementalAlterConfigsResponse, MetadataResponse, CreatePartitionsResponse, DescribeClusterResponse, AlterConfigsResponse } from '@tributary/protocol'
import { handlerTable } from '@tributary/broker'
import { WireClient } from './fixtures/wire-client.ts'
import { startTestBroker } from './fixtures/test-broker.ts'
import type { TestBroker } from './fixtures/test-broker.ts'
import { createTopicsRequest, describeConfigsRequest, incrementalAlterConfigsRequest, metadataRequest } from './fixtures/requests.ts'

let broker: TestBroker
let client: WireClient

before(async () => {
  broker = await startTestBroker({ numPartitions: 3 })
  client = await WireClient.connect(broker.port)
})

after(async () => {
  client.close()
  await broker.destroy()
})

const createTopics = (topics: Parameters<typeof createTopicsRequest>[0], validateOnly = false, version = 7): Promise<CreateTopicsResponse> =>
  client.request<CreateTopicsResponse>(ApiKey.CreateTopics, version, createTopicsRequest(topics, validateOnly))

const configValue = async (topic: string, name: string): Promise<{ value: string | null; configSource: number }> => {
  const response = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, describeConfigsRequest(2, topic, [name]))
  return response.results[0].configs[0]
}

test('ApiVersions lists exactly the handler table', async () => {
  const response = await client.request<ApiVersionsResponse>(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  assert.equal(response.errorCode, ErrorCode.None)
  assert.deepEqual(response.apiKeys.map((key) => [key.apiKey, key.minVersion, key.maxVersion]), handlerTable.definitions.map((definition) => [definition.apiKey, definition.minVersion, definition.maxVersion]))
})

test('ApiVersions at an unsupported version answers UNSUPPORTED_VERSION in a v0 response', async () => {
  const writer = new Writer()
  const sizeAt = writer.reserveInt32()
  writer.writeInt16(ApiKey.ApiVersions)
  writer.writeInt16(99)
  writer.writeInt32(77)
  writer.writeNullableString('future-client')
  writer.writeTaggedFields(undefined)
  writer.writeCompactString('x')
  writer.writeCompactString('1')
  writer.writeTaggedFields(undefined)
  writer.fillSizePrefix(sizeAt)
  client.writeRaw(writer.finish())
  const reader = new Reader(await client.nextFrame())
  assert.equal(reader.readInt32(), 77)
  const response = ApiVersionsResponse.read(reader, 0)
  assert.equal(response.errorCode, ErrorCode.UnsupportedVersion)
  assert.equal(response.apiKeys.length, handlerTable.definitions.length)
})

test('CreateTopics applies defaults, reports configs and ids, and refuses replication factor > 1', async () => {
  const response = await createTopics([{ name: 'defaults' }, { name: 'replicated', replicationFactor: 3 }, { name: 'explicit', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '1000' } }])
  const [defaults, replicated, explicit] = response.topics
  assert.equal(defaults.errorCode, ErrorCode.None)
  assert.equal(defaults.numPartitions, 3)
  assert.equal(defaults.replicationFactor, 1)
  assert.notEqual(defaults.topicId, ZERO_UUID)
  assert.equal(replicated.errorCode, ErrorCode.InvalidReplicationFactor)
  assert.match(replicated.errorMessage ?? '', /larger than available brokers/)
  assert.equal(explicit.numPartitions, 2)
  assert.equal(explicit.configs?.find((config) => config.name === 'retention.ms')?.value, '1000')
  assert.equal(explicit.configs?.find((config) => config.name === 'retention.ms')?.configSource, 1)
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['defaults']))
  assert.equal(metadata.topics[0].topicId, defaults.topicId)
  assert.deepEqual(metadata.topics[0].partitions.map((partition) => [partition.partitionIndex, partition.leaderId, partition.leaderEpoch, partition.isrNodes]), [[0, 1, 0, [1]], [1, 1, 0, [1]], [2, 1, 0, [1]]])
})

test('CreateTopics rejects duplicates, existing names, bad names, bad configs; validateOnly creates nothing', async () => {
  const response = await createTopics([{ name: 'twice' }, { name: 'twice' }, { name: 'defaults' }, { name: 'bad/name' }, { name: 'bad-config', configs: { 'retention.ms': 'soon' } }, { name: 'unknown-config', configs: { 'no.such.config': '1' } }, { name: 'null-config', configs: { 'retention.ms': null } }])
  assert.deepEqual(response.topics.map((topic) => topic.errorCode), [
    ErrorCode.InvalidRequest, ErrorCode.InvalidRequest, ErrorCode.TopicAlreadyExists, ErrorCode.InvalidTopicException, ErrorCode.InvalidConfig, ErrorCode.InvalidConfig, ErrorCode.InvalidConfig,
  ])
  assert.match(response.topics[5].errorMessage ?? '', /no\.such\.config/)
  const validated = await createTopics([{ name: 'only-validated' }], true)
  assert.equal(validated.topics[0].errorCode, ErrorCode.None)
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['only-validated'], false))
  assert.equal(metadata.topics[0].errorCode, ErrorCode.UnknownTopicOrPartition)
})

test('Metadata auto-creates only when the request allows it', async () => {
  const refused = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['auto'], false))
  assert.equal(refused.topics[0].errorCode, ErrorCode.UnknownTopicOrPartition)
  const created = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['auto'], true))
  assert.equal(created.topics[0].errorCode, ErrorCode.None)
  assert.equal(created.topics[0].partitions.length, 3)
  const all = await client.request<MetadataResponse>(ApiKey.Metadata, 1, metadataRequest(null))
  assert.ok(all.topics.some((topic) => topic.name === 'auto'))
  assert.equal(all.controllerId, 1)
  assert.deepEqual(all.brokers.map((node) => [node.nodeId, node.port]), [[1, broker.port]])
  const v0all = await client.request<MetadataResponse>(ApiKey.Metadata, 0, metadataRequest([]))
  assert.ok(v0all.topics.length >= 2)
})

test('a broker with auto-creation off never auto-creates', async () => {
  const strict = await startTestBroker({ autoCreateTopics: false })
  const strictClient = await WireClient.connect(strict.port)
  try {
    const response = await strictClient.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['auto'], true))
    assert.equal(response.topics[0].errorCode, ErrorCode.UnknownTopicOrPartition)
  } finally {
    strictClient.close()
    await strict.destroy()
  }
})

test('DescribeConfigs reports sources, defaults (v0 isDefault) and synonyms; broker configs too', async () => {
  await createTopics([{ name: 'configured', configs: { 'cleanup.policy': 'compact' } }])
  assert.deepEqual(await configValue('configured', 'cleanup.policy'), { ...(await configValue('configured', 'cleanup.policy')), value: 'compact', configSource: 1 })
  assert.equal((await configValue('configured', 'retention.ms')).configSource, 5)
  const v0 = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 0, describeConfigsRequest(2, 'configured', ['retention.ms', 'cleanup.policy']))
  assert.deepEqual(v0.results[0].configs.map((config) => [config.name, config.isDefault]), [['cleanup.policy', false], ['retention.ms', true]])
  const synonyms = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, describeConfigsRequest(2, 'configured', ['cleanup.policy'], true))
  assert.deepEqual(synonyms.results[0].configs[0].synonyms.map((synonym) => [synonym.name, synonym.source]), [['cleanup.policy', 1], ['log.cleanup.policy', 5]])
  const all = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, describeConfigsRequest(2, 'configured'))
  assert.ok(all.results[0].configs.length >= 8)
  const brokerConfigs = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, describeConfigsRequest(4, '1'))
  assert.equal(brokerConfigs.results[0].configs.find((config) => config.name === 'num.partitions')?.value, '3')
  const missing = await client.request<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, describeConfigsRequest(2, 'missing'))
  assert.equal(missing.results[0].errorCode, ErrorCode.UnknownTopicOrPartition)
})

test('IncrementalAlterConfigs SET, DELETE, APPEND, SUBTRACT; unknown config is INVALID_CONFIG', async () => {
  const alter = async (operations: { name: string; configOperation: number; value: string | null }[], validateOnly = false): Promise<{ errorCode: number; errorMessage: string | null }> =>
    (await client.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 1, incrementalAlterConfigsRequest('configured', operations, validateOnly))).responses[0]
  assert.equal((await alter([{ name: 'retention.ms', configOperation: 0, value: '60000' }])).errorCode, ErrorCode.None)
  assert.equal((await configValue('configured', 'retention.ms')).value, '60000')
  assert.equal((await alter([{ name: 'cleanup.policy', configOperation: 2, value: 'delete' }])).errorCode, ErrorCode.None)
  assert.equal((await configValue('configured', 'cleanup.policy')).value, 'compact,delete')
  assert.equal((await alter([{ name: 'cleanup.policy', configOperation: 3, value: 'compact' }])).errorCode, ErrorCode.None)
  assert.equal((await configValue('configured', 'cleanup.policy')).value, 'delete')
  assert.equal((await alter([{ name: 'retention.ms', configOperation: 1, value: null }])).errorCode, ErrorCode.None)
  assert.deepEqual(await configValue('configured', 'retention.ms'), { ...(await configValue('configured', 'retention.ms')), value: '604800000', configSource: 5 })
  const unknown = await alter([{ name: 'retention.parsecs', configOperation: 0, value: '1' }])
  assert.equal(unknown.errorCode, ErrorCode.InvalidConfig)
  assert.match(unknown.errorMessage ?? '', /retention\.parsecs/)
  assert.equal((await alter([{ name: 'retention.ms', configOperation: 2, value: '1' }])).errorCode, ErrorCode.InvalidConfig)
  assert.equal((await alter([{ name: 'segment.bytes', configOperation: 0, value: '-5' }])).errorCode, ErrorCode.InvalidConfig)
  assert.equal((await alter([{ name: 'max.message.bytes', configOperation: 0, value: '2048' }], true)).errorCode, ErrorCode.None)
  assert.equal((await configValue('configured', 'max.message.bytes')).configSource, 5, 'validateOnly changes nothing')
  for (const name of ['retention.bytes', 'segment.bytes', 'segment.ms', 'max.message.bytes', 'message.timestamp.type', 'min.insync.replicas']) {
    const value = name === 'message.timestamp.type' ? 'LogAppendTime' : name === 'segment.bytes' ? '1048576' : '2'
    assert.equal((await alter([{ name, configOperation: 0, value }])).errorCode, ErrorCode.None, name)
    assert.equal((await configValue('configured', name)).value, value)
  }
})

test('AlterConfigs replaces the whole override set', async () => {
  const response = await client.request<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'configured', configs: [{ name: 'retention.bytes', value: '4096' }] }], validateOnly: false })
  assert.equal(response.responses[0].errorCode, ErrorCode.None)
  assert.equal((await configValue('configured', 'retention.bytes')).value, '4096')
  assert.equal((await configValue('configured', 'min.insync.replicas')).configSource, 5)
  const broker = await client.request<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, { resources: [{ resourceType: 4, resourceName: '1', configs: [] }], validateOnly: false })
  assert.equal(broker.responses[0].errorCode, ErrorCode.InvalidRequest)
})

test('CreatePartitions grows a topic and refuses shrinking', async () => {
  const grow = await client.request<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, { topics: [{ name: 'defaults', count: 5, assignments: null }, { name: 'explicit', count: 1, assignments: null }, { name: 'missing', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false })
  assert.deepEqual(grow.results.map((result) => result.errorCode), [ErrorCode.None, ErrorCode.InvalidPartitions, ErrorCode.UnknownTopicOrPartition])
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['defaults']))
  assert.equal(metadata.topics[0].partitions.length, 5)
})

test('DeleteTopics by name (v5) and by id (v6)', async () => {
  await createTopics([{ name: 'doomed-a' }, { name: 'doomed-b' }])
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['doomed-b']))
  const byName = await client.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 5, { topics: [], topicNames: ['doomed-a', 'never-was'], timeoutMs: 1000 })
  assert.deepEqual(byName.responses.map((result) => result.errorCode), [ErrorCode.None, ErrorCode.UnknownTopicOrPartition])
  const byId = await client.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 6, { topics: [{ name: null, topicId: metadata.topics[0].topicId }, { name: null, topicId: '0b6c8f0e-1111-4a22-9c33-444455556666' }], topicNames: [], timeoutMs: 1000 })
  assert.deepEqual(byId.responses.map((result) => [result.name, result.errorCode]), [['doomed-b', ErrorCode.None], [null, ErrorCode.UnknownTopicId]])
  const after = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['doomed-a', 'doomed-b'], false))
  assert.deepEqual(after.topics.map((topic) => topic.errorCode), [ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition])
})

test('DeleteTopics refuses the coordinators\' internal topics', async () => {
  const response = await client.request<DeleteTopicsResponse>(ApiKey.DeleteTopics, 5, { topics: [], topicNames: ['__consumer_offsets', '__transaction_state'], timeoutMs: 1000 })
  assert.deepEqual(response.responses.map((result) => result.errorCode), [ErrorCode.InvalidRequest, ErrorCode.InvalidRequest])
  assert.match(response.responses[0].errorMessage ?? '', /internal topic/)
  const metadata = await client.request<MetadataResponse>(ApiKey.Metadata, 12, metadataRequest(['__consumer_offsets', '__transaction_state'], false))
  assert.deepEqual(metadata.topics.map((topic) => topic.errorCode), [ErrorCode.None, ErrorCode.None])
})

test('DescribeCluster names this node as broker and controller', async () => {
  const response = await client.request<DescribeClusterResponse>(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 })
  assert.equal(response.clusterId, broker.clusterId)
  assert.equal(response.controllerId, 1)
  assert.deepEqual(response.brokers.map((node) => [node.brokerId, node.host, node.port]), [[1, '127.0.0.1', broker.port]])
})

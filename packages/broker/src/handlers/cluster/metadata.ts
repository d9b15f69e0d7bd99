// Metadata (api key 3): v0-12.
// Version notes: v1 adds rack, controllerId, isInternal and "null topics = all topics" (v0 uses
// an empty list for all); v2 adds clusterId; v3 throttleTimeMs; v4 allowAutoTopicCreation;
// v5 offlineReplicas; v7 leaderEpoch; v8 authorized operations (v8-10 cluster-wide); v9 is the
// first flexible version; v10 adds topic ids (v10+ requests may name topics by id); v12 makes
// the response topic name nullable.
// Single node: every partition has leader = replicas = isr = [nodeId], leaderEpoch 0.
// Auto-creation happens when the request allows it (v4+, implied before) and the broker has
// auto.create.topics.enable; the new topic is returned at once with NONE.
// Not implemented: authorized operations (always "not requested", -2147483648).
import { ApiKey, ErrorCode, ZERO_UUID } from '@tributary/protocol'
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import type { TopicInfo } from '../../cluster/cluster-types.ts'

const operationsNotRequested = -2147483648

export const metadata = defineHandler(
  ApiKey.Metadata,
  { versions: [0, 12], notImplemented: ['authorized operations (always -2147483648)'] },
  async (request: MetadataRequest, context: RequestContext): Promise<MetadataResponse> => {
    const { broker } = context
    const allTopics = request.topics === null || (context.apiVersion === 0 && request.topics.length === 0)
    const topics: MetadataResponseTopic[] = allTopics
      ? broker.cluster.topics().map((topic) => describeTopic(topic, context))
      : await Promise.all(request.topics!.map((requested) => lookUpTopic(requested, request, context)))
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, rack: null }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: operationsNotRequested,
    }
  },
)

async function lookUpTopic(requested: { topicId: string; name: string | null }, request: MetadataRequest, context: RequestContext): Promise<MetadataResponseTopic> {
  const { cluster, config } = context.broker
  if (requested.name === null) {
    const byId = cluster.topicById(requested.topicId)
    return byId === undefined ? errorTopic(null, requested.topicId, ErrorCode.UnknownTopicId) : describeTopic(byId, context)
  }
  const existing = cluster.topic(requested.name)
  if (existing !== undefined) return describeTopic(existing, context)
  const allowAutoCreation = context.apiVersion < 4 || request.allowAutoTopicCreation
  if (!allowAutoCreation || !config.autoCreateTopics) return errorTopic(requested.name, ZERO_UUID, ErrorCode.UnknownTopicOrPartition)
  const created = await cluster.autoCreateTopic(requested.name)
  if (created.topic === undefined) return errorTopic(requested.name, ZERO_UUID, created.errorCode)
  return describeTopic(created.topic, context)
}

function describeTopic(topic: TopicInfo, context: RequestContext): MetadataResponseTopic {
  const nodeId = context.broker.nodeId
  const partitions = []
  for (let partitionIndex = 0; partitionIndex < topic.partitionCount; partitionIndex++) {
    partitions.push({ errorCode: ErrorCode.None, partitionIndex, leaderId: nodeId, leaderEpoch: 0, replicaNodes: [nodeId], isrNodes: [nodeId], offlineReplicas: [] })
  }
  return { errorCode: ErrorCode.None, name: topic.name, topicId: topic.topicId, isInternal: topic.isInternal, partitions, topicAuthorizedOperations: operationsNotRequested }
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: operationsNotRequested }
}

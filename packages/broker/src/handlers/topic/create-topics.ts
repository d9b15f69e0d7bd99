// CreateTopics (api key 19): v0-7.
// Version notes: v1 adds validateOnly and errorMessage; v2 throttleTimeMs; v4 accepts -1 for
// numPartitions and replicationFactor (broker defaults, KIP-464); v5 is the first flexible
// version and returns the created topic's numPartitions, replicationFactor and configs; v7
// returns the topic id. Single node: replicationFactor > 1 → INVALID_REPLICATION_FACTOR, manual
// assignments must name only this node. The same name twice in one request → INVALID_REQUEST.
// Not implemented: CreateTopicPolicy, controller mutation quotas.
import { ApiKey, ErrorCode, ZERO_UUID } from '@tributary/protocol'
import type { CreateTopicsRequest, CreateTopicsResponse, CreateTopicsResponseCreatableTopicResult } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { describeTopicConfig, topicConfigNames } from '../../cluster/topic-config.ts'

export const createTopics = defineHandler(
  ApiKey.CreateTopics,
  {
    versions: [0, 7],
    errorResponse: (request: CreateTopicsRequest, errorCode: number): CreateTopicsResponse => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => failed(topic.name, errorCode, null)),
    }),
    notImplemented: ['create topic policies', 'controller mutation quotas'],
  },
  (request: CreateTopicsRequest, context: RequestContext): CreateTopicsResponse => {
    const { cluster } = context.broker
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    const topics = request.topics.map((topic): CreateTopicsResponseCreatableTopicResult => {
      if (counts.get(topic.name)! > 1) return failed(topic.name, ErrorCode.InvalidRequest, `Create topics request from client contains multiple entries for topic ${topic.name}.`)
      const result = cluster.createTopic({ ...topic, validateOnly: request.validateOnly })
      if (result.topic === undefined) return failed(topic.name, result.errorCode, result.errorMessage)
      const created = result.topic
      return {
        name: topic.name,
        topicId: created.topicId,
        errorCode: ErrorCode.None,
        errorMessage: null,
        topicConfigErrorCode: ErrorCode.None,
        numPartitions: created.partitionCount,
        replicationFactor: 1,
        configs: topicConfigNames.map((name) => {
          const described = describeTopicConfig(name, created.configs, cluster.topicConfigDefaults)
          return { name, value: described.value, readOnly: false, configSource: described.source, isSensitive: false }
        }),
      }
    })
    return { throttleTimeMs: 0, topics }
  },
)

function failed(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.None, numPartitions: -1, replicationFactor: -1, configs: null }
}

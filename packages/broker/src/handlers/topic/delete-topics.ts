// DeleteTopics (api key 20): v0-6.
// Version notes: v1 adds throttleTimeMs; v4 is the first flexible version; v5 adds errorMessage;
// v6 names topics by name or by id (topics[] replaces topicNames[]). Deleting removes the topic
// metadata durably first, then the partition directories. The internal topics
// __consumer_offsets and __transaction_state cannot be deleted (INVALID_REQUEST).
// Not implemented: controller mutation quotas.
import { ApiKey, ErrorCode, ZERO_UUID } from '@tributary/protocol'
import type { DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopicsResponseDeletableTopicResult } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import { OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../../coordinator/index.ts'
import type { RequestContext } from '../../request-context.ts'

/** The coordinators' own topics: deleting one would lose every group's offsets or every transaction. */
const internalTopics = new Set([OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC])

/** Versions from which topics come as {name, topicId} instead of topicNames. */
const topicStateVersion = 6

export const deleteTopics = defineHandler(
  ApiKey.DeleteTopics,
  {
    versions: [0, 6],
    errorResponse: (request: DeleteTopicsRequest, errorCode: number): DeleteTopicsResponse => ({
      throttleTimeMs: 0,
      responses: requested(request).map(({ name, topicId }) => ({ name, topicId, errorCode, errorMessage: null })),
    }),
    notImplemented: ['controller mutation quotas'],
  },
  (request: DeleteTopicsRequest, context: RequestContext): DeleteTopicsResponse => {
    const { cluster } = context.broker
    const topics = context.apiVersion >= topicStateVersion ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
    const responses = topics.map(({ name, topicId }): DeleteTopicsResponseDeletableTopicResult => {
      if (name !== null && topicId !== ZERO_UUID) return { name, topicId, errorCode: ErrorCode.InvalidRequest, errorMessage: 'Give a topic name or a topic id, not both.' }
      const topic = name !== null ? cluster.topic(name) : cluster.topicById(topicId)
      if (topic === undefined) {
        const errorCode = name !== null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.UnknownTopicId
        return { name, topicId, errorCode, errorMessage: name !== null ? `Topic '${name}' does not exist.` : `Topic id ${topicId} does not exist.` }
      }
      if (internalTopics.has(topic.name)) {
        return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.InvalidRequest, errorMessage: `Topic '${topic.name}' is an internal topic of the coordinators and cannot be deleted.` }
      }
      const result = cluster.deleteTopic(topic.name)
      return { name: topic.name, topicId: topic.topicId, errorCode: result.errorCode, errorMessage: result.errorMessage }
    })
    return { throttleTimeMs: 0, responses }
  },
)

function requested(request: DeleteTopicsRequest): { name: string | null; topicId: string }[] {
  return request.topics.length > 0 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
}

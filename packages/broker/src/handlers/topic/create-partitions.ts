// CreatePartitions (api key 37): v0-3.
// Version notes: v1 changes only throttling behaviour; v2 is the first flexible version; v3 is
// unchanged on the wire. New partitions start empty; assignments, when given, must name only
// this node. The same topic twice in one request → INVALID_REQUEST.
// Not implemented: controller mutation quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'

export const createPartitions = defineHandler(
  ApiKey.CreatePartitions,
  {
    versions: [0, 3],
    errorResponse: (request: CreatePartitionsRequest, errorCode: number): CreatePartitionsResponse => ({
      throttleTimeMs: 0,
      results: request.topics.map((topic) => ({ name: topic.name, errorCode, errorMessage: null })),
    }),
    notImplemented: ['controller mutation quotas'],
  },
  (request: CreatePartitionsRequest, context: RequestContext): CreatePartitionsResponse => {
    const { cluster } = context.broker
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    return {
      throttleTimeMs: 0,
      results: request.topics.map((topic) => {
        if (counts.get(topic.name)! > 1) return { name: topic.name, errorCode: ErrorCode.InvalidRequest, errorMessage: `Duplicate topic in request: ${topic.name}` }
        const assignments = topic.assignments === null ? null : topic.assignments.map((assignment) => assignment.brokerIds)
        const result = cluster.createPartitions(topic.name, topic.count, assignments, request.validateOnly)
        return { name: topic.name, errorCode: result.errorCode, errorMessage: result.errorMessage }
      }),
    }
  },
)

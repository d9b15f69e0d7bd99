// OffsetDelete (api key 47): v0.
// Version notes: one version. Deletes committed offsets of partitions the group no longer
// consumes (GROUP_SUBSCRIBED_TO_TOPIC for a topic an active member still subscribes to).
import { ApiKey } from '@tributary/protocol'
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

export const offsetDelete = defineHandler(
  ApiKey.OffsetDelete,
  {
    versions: [0, 0],
    errorResponse: (_request: OffsetDeleteRequest, errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] }),
  },
  async (request: OffsetDeleteRequest, context: RequestContext): Promise<OffsetDeleteResponse> => {
    const coordination = coordinationOf(context)
    const result = await coordination.runGroup(coordination.groups.deleteOffsets({
      groupId: request.groupId,
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex })) })),
    }, context.broker.clock.nowMs()))
    return {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics: result.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ ...partition })) })),
    }
  },
)

// OffsetFetch (api key 9): v1-9.
// Version notes: v0 read ZooKeeper in Kafka and is not served; v2 allows topics null (every
// committed partition) and adds the top-level errorCode; v5 adds committedLeaderEpoch; v6 is
// the first flexible version; v7 adds requireStable (pending transactional offsets answer
// UNSTABLE_OFFSET_COMMIT instead of the last stable value); v8 fetches several groups at once
// (groups[] in request and response, top-level fields unused); v9 adds memberId/memberEpoch
// for new-protocol groups (ignored: classic groups only).
import { ApiKey } from '@tributary/protocol'
import type { OffsetFetchRequest, OffsetFetchResponse, OffsetFetchResponsePartitions } from '@tributary/protocol'
import type { OffsetFetchGroupResult } from '../../coordinator/index.ts'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

const multiGroupVersion = 8

export const offsetFetch = defineHandler(
  ApiKey.OffsetFetch,
  {
    versions: [1, 9],
    errorResponse: (request: OffsetFetchRequest, errorCode: number): OffsetFetchResponse => ({
      throttleTimeMs: 0, topics: [], errorCode, groups: request.groups.map((group) => ({ groupId: group.groupId, topics: [], errorCode })),
    }),
    notImplemented: ['v0 (ZooKeeper offsets)', 'consumer-protocol (KIP-848) member epochs'],
  },
  (request: OffsetFetchRequest, context: RequestContext): OffsetFetchResponse => {
    const { groups } = coordinationOf(context)
    if (context.apiVersion >= multiGroupVersion) {
      const results = groups.fetchOffsets(request.groups.map((group) => ({ groupId: group.groupId, topics: group.topics })), request.requireStable)
      return { throttleTimeMs: 0, topics: [], errorCode: 0, groups: results.map((result) => ({ groupId: result.groupId, errorCode: result.errorCode, topics: topicsOf(result) })) }
    }
    const [result] = groups.fetchOffsets([{ groupId: request.groupId, topics: request.topics }], request.requireStable)
    return { throttleTimeMs: 0, errorCode: result.errorCode, groups: [], topics: topicsOf(result) }
  },
)

function topicsOf(result: OffsetFetchGroupResult): Array<{ name: string; partitions: OffsetFetchResponsePartitions[] }> {
  return result.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => ({
      partitionIndex: partition.partitionIndex,
      committedOffset: BigInt(partition.committedOffset),
      committedLeaderEpoch: partition.committedLeaderEpoch,
      metadata: partition.metadata,
      errorCode: partition.errorCode,
    })),
  }))
}

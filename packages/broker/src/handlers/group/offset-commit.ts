// OffsetCommit (api key 8): v0-9.
// Version notes: v0 (ZooKeeper storage in Kafka) is stored in __consumer_offsets like v1+;
// v1 adds generationId/memberId and a per-partition commit timestamp (ignored: the coordinator
// stamps its own time); v2-4 carry retentionTimeMs (ignored: offsets.retention.minutes applies,
// as from v5); v6 adds committedLeaderEpoch; v7 groupInstanceId; v8 is the first flexible
// version; v9 is v8 for new-protocol groups (this broker serves classic groups only, so the
// generationIdOrMemberEpoch is a generation id).
import { ApiKey } from '@tributary/protocol'
import type { OffsetCommitRequest, OffsetCommitResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from './coordination-of.ts'

export const offsetCommit = defineHandler(
  ApiKey.OffsetCommit,
  {
    versions: [0, 9],
    errorResponse: (request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })) })),
    }),
    notImplemented: ['per-request retentionTimeMs (v2-4; the broker retention applies)', 'consumer-protocol (KIP-848) member epochs'],
  },
  async (request: OffsetCommitRequest, context: RequestContext): Promise<OffsetCommitResponse> => {
    const coordination = coordinationOf(context)
    const result = await coordination.runGroup(coordination.groups.commitOffsets({
      apiVersion: context.apiVersion,
      groupId: request.groupId,
      generationId: context.apiVersion === 0 ? -1 : request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          committedOffset: Number(partition.committedOffset),
          committedLeaderEpoch: partition.committedLeaderEpoch,
          committedMetadata: partition.committedMetadata,
        })),
      })),
    }, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, topics: result.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ ...partition })) })) }
  },
)

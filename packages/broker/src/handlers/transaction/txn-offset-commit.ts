// TxnOffsetCommit (api key 28): v0-4.
// Version notes: v1 is the same as v0; v2 adds committedLeaderEpoch; v3 adds generationId,
// memberId and groupInstanceId so the group coordinator can fence zombies (KIP-447); v3 is the
// first flexible version; v4 allows TRANSACTION_ABORTABLE. The offsets are written to
// __consumer_offsets as a transactional batch and stay invisible until the COMMIT marker.
// Not implemented: checking that AddOffsetsToTxn added the group's partition first (KIP-890 part 2).
import { ApiKey } from '@tributary/protocol'
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'

export const txnOffsetCommit = defineHandler(
  ApiKey.TxnOffsetCommit,
  {
    versions: [0, 4],
    errorResponse: (request: TxnOffsetCommitRequest, errorCode: number): TxnOffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })) })),
    }),
    notImplemented: ['verification that the group partition was added to the transaction'],
  },
  async (request: TxnOffsetCommitRequest, context: RequestContext): Promise<TxnOffsetCommitResponse> => {
    const coordination = coordinationOf(context)
    const result = await coordination.runGroup(coordination.groups.commitTransactionalOffsets({
      transactionalId: request.transactionalId,
      groupId: request.groupId,
      producerId: Number(request.producerId),
      producerEpoch: request.producerEpoch,
      generationId: request.generationId,
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

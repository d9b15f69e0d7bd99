// ListOffsets (api key 2): v1-10.
// Version notes: v1 replaces the v0 offset array with one timestamp/offset (v0 is not
// advertised); v2 adds isolationLevel; v4 currentLeaderEpoch and leaderEpoch; v6 is the first
// flexible version; v7 adds timestamp -3 (max timestamp, KIP-734); v8 -4 (earliest local,
// KIP-405); v9 -5 (latest tiered); v10 timeoutMs. Timestamps: -1 latest (the high watermark,
// or the last stable offset under read_committed: the first offset of an open transaction),
// -2 earliest (logStartOffset),
// -3 the record with the largest timestamp, >= 0 the first offset whose timestamp is at or
// after it (through the time index); -4 is the same as -2 and -5 finds nothing (no tiering).
// Not implemented: tiered storage.
import { ApiKey } from '@tributary/protocol'
import type { ListOffsetsRequest, ListOffsetsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'

const readCommitted = 1
/** The only leader epoch a single node ever has. */
const leaderEpoch = 0

export const listOffsets = defineHandler(
  ApiKey.ListOffsets,
  {
    versions: [1, 10],
    errorResponse: (request: ListOffsetsRequest, errorCode: number) => responseOf(request, () => ({ errorCode, timestamp: -1n, offset: -1n })),
    notImplemented: ['v0 (offset arrays)', 'tiered storage (-5 finds nothing)'],
  },
  (request: ListOffsetsRequest, context: RequestContext): ListOffsetsResponse =>
    responseOf(request, (topic, partition, timestamp) => context.broker.cluster.listOffset(topic, partition, timestamp, request.isolationLevel === readCommitted), context.apiVersion),
)

/** ListOffsets versions that carry leaderEpoch (before, it must stay -1). */
const leaderEpochVersion = 4

function responseOf(
  request: ListOffsetsRequest,
  lookUp: (topic: string, partition: number, timestamp: bigint) => { errorCode: number; timestamp: bigint; offset: bigint },
  apiVersion = leaderEpochVersion,
): ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const result = lookUp(topic.name, partition.partitionIndex, partition.timestamp)
        return {
          partitionIndex: partition.partitionIndex,
          errorCode: result.errorCode,
          oldStyleOffsets: [],
          timestamp: result.timestamp,
          offset: result.offset,
          leaderEpoch: result.offset >= 0n && apiVersion >= leaderEpochVersion ? leaderEpoch : -1,
        }
      }),
    })),
  }
}

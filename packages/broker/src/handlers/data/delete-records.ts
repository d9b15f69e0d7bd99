// DeleteRecords (api key 21): v0-2.
// Version notes: v1 is unchanged (throttling behaviour); v2 is the first flexible version.
// Offset -1 means "up to the high watermark". The new logStartOffset (low watermark) is
// persisted before the answer; whole segments below it are deleted at once.
// Not implemented: none.
import { ApiKey } from '@tributary/protocol'
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'

export const deleteRecords = defineHandler(
  ApiKey.DeleteRecords,
  {
    versions: [0, 2],
    errorResponse: (request: DeleteRecordsRequest, errorCode: number) => responseOf(request, () => ({ errorCode, lowWatermark: -1n })),
  },
  (request: DeleteRecordsRequest, context: RequestContext): DeleteRecordsResponse =>
    responseOf(request, (topic, partition, offset) => context.broker.cluster.deleteRecords(topic, partition, offset)),
)

function responseOf(request: DeleteRecordsRequest, deleteBefore: (topic: string, partition: number, offset: bigint) => { errorCode: number; lowWatermark: bigint }): DeleteRecordsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, ...deleteBefore(topic.name, partition.partitionIndex, partition.offset) })),
    })),
  }
}

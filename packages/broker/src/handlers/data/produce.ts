// Produce (api key 0): v3-11.
// Version notes: v3 adds transactionalId and requires record batch v2 (older versions carry
// message sets v0/v1, which we do not store, so they are not advertised); v5 adds logStartOffset;
// v8 adds per-batch recordErrors and errorMessage (KIP-467); v9 is the first flexible version;
// v10 adds the tagged currentLeader / nodeEndpoints (KIP-951, only meaningful with
// NOT_LEADER_OR_FOLLOWER, which a single node never answers); v11 signals KIP-890 support.
// acks=0 gets no response at all; acks=-1 waits for the flush policy's durability (every-batch:
// fsync) before answering. Idempotent and transactional batches go through
// producerStateManager.check (coordination/producer-states.ts): a retried batch is answered with
// its original offset and not appended again; sequence gaps get OUT_OF_ORDER_SEQUENCE_NUMBER,
// stale epochs INVALID_PRODUCER_EPOCH, and transactional batches for a partition not added to
// the ongoing transaction INVALID_TXN_STATE.
// Not implemented: quota throttling.
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '@tributary/protocol'
import { defineHandler, noResponse } from '../define-handler.ts'
import type { NoResponse } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import type { AppendResult } from '../../cluster/cluster-types.ts'
import { appendFailure } from '../../cluster/error-results.ts'

export const produce = defineHandler(
  ApiKey.Produce,
  {
    versions: [3, 11],
    errorResponse: (request: ProduceRequest, errorCode: number) => responseOf(request, () => appendFailure(errorCode, 'internal error')),
    notImplemented: ['message sets v0/v1 (Produce v0-2)', 'quota throttling'],
  },
  async (request: ProduceRequest, context: RequestContext): Promise<ProduceResponse | NoResponse> => {
    const { cluster } = context.broker
    const validAcks = request.acks === -1 || request.acks === 0 || request.acks === 1
    // Results by position in the request (results[topicIndex][partitionIndex]), so repeated
    // partitions keep their own answers and no string keys are built per partition.
    const results: AppendResult[][] = request.topicData.map((topic) => new Array<AppendResult>(topic.partitionData.length))
    const pending: Promise<void>[] = []
    request.topicData.forEach((topic, topicIndex) => topic.partitionData.forEach((partition, partitionIndex) => {
      if (!validAcks) {
        results[topicIndex][partitionIndex] = appendFailure(ErrorCode.InvalidRequiredAcks, `acks must be -1, 0 or 1, got ${request.acks}`)
        return
      }
      const append = cluster.append({ topic: topic.name, partition: partition.index, records: partition.records, acks: request.acks, transactionalId: request.transactionalId })
      pending.push(append.then((result) => {
        results[topicIndex][partitionIndex] = result
      }))
    }))
    if (pending.length > 0) await Promise.all(pending)
    if (request.acks === 0) return noResponse
    return responseOf(request, (topicIndex, partitionIndex) => results[topicIndex][partitionIndex])
  },
)

/** `resultOf(topicIndex, partitionIndex)`: the result of that entry of the request. */
function responseOf(request: ProduceRequest, resultOf: (topicIndex: number, partitionIndex: number) => AppendResult): ProduceResponse {
  return {
    responses: request.topicData.map((topic, topicIndex) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((partition, partitionIndex): ProduceResponsePartitionProduceResponse => {
        const result = resultOf(topicIndex, partitionIndex)
        return {
          index: partition.index,
          errorCode: result.errorCode,
          baseOffset: result.baseOffset,
          logAppendTimeMs: result.logAppendTimeMs,
          logStartOffset: result.logStartOffset,
          recordErrors: [...result.recordErrors],
          errorMessage: result.errorMessage,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        }
      }),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  }
}

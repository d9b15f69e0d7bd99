// Produce (api key 0): v3-11.
// Version notes: v3 adds transactionalId and requires record batch v2 (older versions carry
// message sets v0/v1, which we do not store, so they are not advertised); v5 adds logStartOffset;
// v8 adds per-batch recordErrors and errorMessage (KIP-467); v9 is the first flexible version;
// v10 adds the tagged currentLeader / nodeEndpoints (KIP-951, only meaningful with
// NOT_LEADER_OR_FOLLOWER, which a single node never answers); v11 signals KIP-890 support.
// acks=0 gets no response at all when every partition succeeded; when any failed, the connection
// is closed instead, after the responses of earlier requests (the client's only way to learn of
// the error; Kafka does the same and logs the partitions and their errors). acks=-1 waits for
// the flush policy's durability (every-batch: fsync) before answering. Idempotent and
// transactional batches go through producerStateManager.check (coordination/producer-states.ts):
// a retried batch is answered with its original offset and not appended again; sequence gaps get
// OUT_OF_ORDER_SEQUENCE_NUMBER, stale epochs INVALID_PRODUCER_EPOCH, and transactional batches
// for a partition not added to the ongoing transaction INVALID_TXN_STATE.
// Not implemented: quota throttling.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol'
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '@tributary/protocol'
import { closeConnection, defineHandler, noResponse } from '../define-handler.ts'
import type { HandlerAnswer } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import type { AppendResult } from '../../cluster/cluster-types.ts'
import { appendFailure } from '../../cluster/error-results.ts'

export const produce = defineHandler(
  ApiKey.Produce,
  {
    versions: [3, 11],
    errorResponse: (request: ProduceRequest, errorCode: number) => responseOf(request, () => appendFailure(errorCode, 'internal error')),
    notImplemented: ['message sets v0/v1 (Produce v0-2)', 'quota throttling'],
    // cluster.append validates and writes the records before it returns; only names, indexes and
    // results are used afterwards.
    releasesRequestBytes: true,
  },
  (request: ProduceRequest, context: RequestContext): HandlerAnswer<ProduceResponse> | Promise<HandlerAnswer<ProduceResponse>> => {
    const { cluster } = context.broker
    const validAcks = request.acks === -1 || request.acks === 0 || request.acks === 1
    // Results by position in the request (results[topicIndex][partitionIndex]), so repeated
    // partitions keep their own answers and no string keys are built per partition. Appends
    // finish synchronously unless they wait for an fsync (acks=all under every-batch): the
    // response then goes out without a promise per partition or per request.
    const results: AppendResult[][] = []
    let pending: Promise<void>[] | undefined
    for (let topicIndex = 0; topicIndex < request.topicData.length; topicIndex++) {
      const topic = request.topicData[topicIndex]
      const topicResults = new Array<AppendResult>(topic.partitionData.length)
      results.push(topicResults)
      for (let partitionIndex = 0; partitionIndex < topic.partitionData.length; partitionIndex++) {
        const partition = topic.partitionData[partitionIndex]
        if (!validAcks) {
          topicResults[partitionIndex] = appendFailure(ErrorCode.InvalidRequiredAcks, `acks must be -1, 0 or 1, got ${request.acks}`)
          continue
        }
        const append = cluster.append({ topic: topic.name, partition: partition.index, records: partition.records, acks: request.acks, transactionalId: request.transactionalId })
        if (append instanceof Promise) {
          ;(pending ??= []).push(append.then((result) => {
            topicResults[partitionIndex] = result
          }))
        } else {
          topicResults[partitionIndex] = append
        }
      }
    }
    const answer = (): HandlerAnswer<ProduceResponse> => request.acks === 0
      ? unansweredOutcome(request, results)
      : responseOf(request, (topicIndex, partitionIndex) => results[topicIndex][partitionIndex])
    return pending === undefined ? answer() : Promise.all(pending).then(answer)
  },
)

/** acks=0: no response when every partition succeeded, otherwise close the connection, saying why. */
function unansweredOutcome(request: ProduceRequest, results: readonly AppendResult[][]): HandlerAnswer<ProduceResponse> {
  let failures: string[] | undefined
  for (let topicIndex = 0; topicIndex < results.length; topicIndex++) {
    const topicResults = results[topicIndex]
    for (let partitionIndex = 0; partitionIndex < topicResults.length; partitionIndex++) {
      const { errorCode, errorMessage } = topicResults[partitionIndex]
      if (errorCode === ErrorCode.None) continue
      const topic = request.topicData[topicIndex]
      const detail = errorMessage === null ? '' : ` (${errorMessage})`
      ;(failures ??= []).push(`${topic.name}-${topic.partitionData[partitionIndex].index}: ${errorInfo(errorCode).name}${detail}`)
    }
  }
  if (failures === undefined) return noResponse
  // The dispatcher logs it with the correlation id and client id.
  return closeConnection(`error during Produce with acks=0: ${failures.join(', ')}`)
}

const noLeader = { leaderId: -1, leaderEpoch: -1 }
const noRecordErrors: ProduceResponsePartitionProduceResponse['recordErrors'] = []

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
          // Shared, never written: the response is only encoded.
          recordErrors: result.recordErrors.length === 0 ? noRecordErrors : [...result.recordErrors],
          errorMessage: result.errorMessage,
          currentLeader: noLeader,
        }
      }),
    })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  }
}

// Fetch (api key 1): v4-17.
// Version notes: v4 adds isolationLevel, lastStableOffset and abortedTransactions (record batch
// v2 from here on; v0-3 expect message sets v0/v1 and are not advertised); v5 logStartOffset;
// v7 fetch sessions (KIP-227: sessionId/sessionEpoch, forgotten topics); v9 currentLeaderEpoch;
// v11 rackId and preferredReadReplica; v12 is the first flexible version (lastFetchedEpoch,
// tagged divergingEpoch/currentLeader/snapshotId); v13 names topics by id; v15 replicaState;
// v16 nodeEndpoints; v17 replicaDirectoryId.
// Long poll: when less than minBytes is available the fetch waits (bounded, see
// cluster/append-waiters.ts) until an append or maxWaitMs. Sessions: we never create one; every
// response carries sessionId 0, which tells the client to keep sending full fetch requests, and
// a request naming a session gets FETCH_SESSION_ID_NOT_FOUND. read_committed reads up to the
// last stable offset and lists the aborted transactions overlapping the returned range (from
// the producer state, see coordination/producer-states.ts) so clients can drop their records.
// Not implemented: incremental fetch sessions (sessionless answers instead), follower fetching.
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { FetchRequest, FetchResponse, FetchResponseAbortedTransaction, FetchResponsePartitionData } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { fetchPartitions } from '../../cluster/fetch-partitions.ts'
import type { FetchPartitionSpec } from '../../cluster/fetch-partitions.ts'
import type { ReadResult } from '../../cluster/cluster-types.ts'

const readCommitted = 1
/** Fetch versions that name topics by id instead of by name. */
const topicIdVersion = 13

export const fetch = defineHandler(
  ApiKey.Fetch,
  {
    versions: [4, 17],
    errorResponse: (_request: FetchRequest, errorCode: number): FetchResponse => ({ throttleTimeMs: 0, errorCode, sessionId: 0, responses: [], nodeEndpoints: [] }),
    notImplemented: ['message sets v0/v1 (Fetch v0-3)', 'incremental fetch sessions (sessionId is always 0)', 'follower fetching'],
  },
  async (request: FetchRequest, context: RequestContext): Promise<FetchResponse> => {
    const { broker } = context
    if (request.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FetchSessionIdNotFound, sessionId: 0, responses: [], nodeEndpoints: [] }
    }
    const byId = context.apiVersion >= topicIdVersion
    const topics = request.topics.map((topic) => ({ topic, name: byId ? broker.cluster.topicById(topic.topicId)?.name : topic.topic }))
    const specs: FetchPartitionSpec[] = topics.flatMap(({ topic, name }) => topic.partitions.map((partition) => ({
      topic: name ?? (byId ? undefined : topic.topic),
      partition: partition.partition,
      fetchOffset: partition.fetchOffset,
      partitionMaxBytes: partition.partitionMaxBytes,
    })))
    const results = await fetchPartitions(
      { partitions: specs, maxWaitMs: request.maxWaitMs, minBytes: request.minBytes, maxBytes: Math.min(request.maxBytes, context.broker.config.fetchMaxBytes), readCommitted: request.isolationLevel === readCommitted, signal: context.connection.signal },
      { cluster: broker.cluster, appendWaiters: broker.appendWaiters, clock: broker.clock },
    )
    let index = 0
    // read_committed: the aborted transactions below the last stable offset (null for read_uncommitted).
    const abortedOf = (topic: string | undefined, partition: number, fetchOffset: bigint, result: ReadResult): FetchResponseAbortedTransaction[] | null => {
      if (request.isolationLevel !== readCommitted) return null
      if (topic === undefined || result.errorCode !== ErrorCode.None || (result.records?.length ?? 0) === 0) return []
      return (broker.producerStateManager.abortedTransactions?.(topic, partition, fetchOffset, result.lastStableOffset) ?? [])
        .map((aborted) => ({ producerId: aborted.producerId, firstOffset: aborted.firstOffset }))
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.None,
      sessionId: 0,
      responses: topics.map(({ topic, name }) => ({
        topic: name ?? topic.topic,
        topicId: topic.topicId,
        partitions: topic.partitions.map((partition) => {
          const result = results[index++]
          return partitionData(partition.partition, result, abortedOf(name ?? (byId ? undefined : topic.topic), partition.partition, partition.fetchOffset, result))
        }),
      })),
      nodeEndpoints: [],
    }
  },
)

function partitionData(partitionIndex: number, result: ReadResult, abortedTransactions: FetchResponseAbortedTransaction[] | null): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode: result.errorCode,
    highWatermark: result.highWatermark,
    lastStableOffset: result.lastStableOffset,
    logStartOffset: result.logStartOffset,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions,
    preferredReadReplica: -1,
    records: result.records,
  }
}

// AddPartitionsToTxn (api key 24): v0-5.
// Version notes: v1 is the same as v0; v2 allows PRODUCER_FENCED; v3 is the first flexible
// version. v0-3 (clients) name one transaction in v3AndBelow* fields and get per-topic results;
// v4+ (brokers, KIP-890) batch several transactions in `transactions`, each with verifyOnly
// (check the partitions are already in the ongoing transaction instead of adding them), and get
// results per transaction; v5 allows TRANSACTION_ABORTABLE. Partitions of unknown topics answer
// UNKNOWN_TOPIC_OR_PARTITION and the rest of that transaction OPERATION_NOT_ATTEMPTED.
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type {
  AddPartitionsToTxnRequest, AddPartitionsToTxnRequestAddPartitionsToTxnTopic, AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'
import { fencedErrorFor } from './producer-fenced.ts'

const batchedVersion = 4

interface TransactionToAdd {
  readonly transactionalId: string
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly verifyOnly: boolean
  readonly topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[]
}

export const addPartitionsToTxn = defineHandler(
  ApiKey.AddPartitionsToTxn,
  {
    versions: [0, 5],
    errorResponse: (request: AddPartitionsToTxnRequest, errorCode: number): AddPartitionsToTxnResponse => ({
      throttleTimeMs: 0,
      errorCode,
      resultsByTransaction: request.transactions.map((transaction) => ({ transactionalId: transaction.transactionalId, topicResults: uniform(transaction.topics, errorCode) })),
      resultsByTopicV3AndBelow: uniform(request.v3AndBelowTopics, errorCode),
    }),
  },
  async (request: AddPartitionsToTxnRequest, context: RequestContext): Promise<AddPartitionsToTxnResponse> => {
    if (context.apiVersion >= batchedVersion) {
      const resultsByTransaction = []
      for (const transaction of request.transactions) {
        resultsByTransaction.push({ transactionalId: transaction.transactionalId, topicResults: await addOne(transaction, context) })
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.None, resultsByTransaction, resultsByTopicV3AndBelow: [] }
    }
    const resultsByTopicV3AndBelow = await addOne({
      transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId, producerEpoch: request.v3AndBelowProducerEpoch,
      verifyOnly: false, topics: request.v3AndBelowTopics,
    }, context)
    return { throttleTimeMs: 0, errorCode: ErrorCode.None, resultsByTransaction: [], resultsByTopicV3AndBelow }
  },
)

async function addOne(transaction: TransactionToAdd, context: RequestContext): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
  const { cluster } = context.broker
  const unknown = (topic: string, partition: number): boolean => {
    const info = cluster.topic(topic)
    return info === undefined || partition < 0 || partition >= info.partitionCount
  }
  if (transaction.topics.some((topic) => topic.partitions.some((partition) => unknown(topic.name, partition)))) {
    return transaction.topics.map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((partitionIndex) => ({
        partitionIndex, partitionErrorCode: unknown(topic.name, partitionIndex) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted,
      })),
    }))
  }
  const coordination = coordinationOf(context)
  const request = {
    transactionalId: transaction.transactionalId, producerId: Number(transaction.producerId), producerEpoch: transaction.producerEpoch,
    topics: transaction.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions })),
  }
  if (transaction.verifyOnly) {
    return coordination.transactions.verifyPartitionsInTxn(request).map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, partitionErrorCode: partition.errorCode })),
    }))
  }
  const errorCode = await coordination.runTransaction(coordination.transactions.addPartitionsToTxn(request, context.broker.clock.nowMs()))
  return uniform(transaction.topics, fencedErrorFor(errorCode, context.apiVersion, 2))
}

function uniform(topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], errorCode: number): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  return topics.map((topic) => ({ name: topic.name, resultsByPartition: topic.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })) }))
}

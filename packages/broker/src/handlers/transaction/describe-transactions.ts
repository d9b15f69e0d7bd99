// DescribeTransactions (api key 65): v0.
// Version notes: one version (flexible). Unknown ids answer TRANSACTIONAL_ID_NOT_FOUND.
import { ApiKey } from '@tributary/protocol'
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'

export const describeTransactions = defineHandler(
  ApiKey.DescribeTransactions,
  {
    versions: [0, 0],
    errorResponse: (request: DescribeTransactionsRequest, errorCode: number): DescribeTransactionsResponse => ({
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((transactionalId) => ({
        errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [],
      })),
    }),
  },
  (request: DescribeTransactionsRequest, context: RequestContext): DescribeTransactionsResponse => ({
    throttleTimeMs: 0,
    transactionStates: coordinationOf(context).transactions.describeTransactions(request.transactionalIds).map((described) => ({
      errorCode: described.errorCode,
      transactionalId: described.transactionalId,
      transactionState: described.transactionState,
      transactionTimeoutMs: described.transactionTimeoutMs,
      transactionStartTimeMs: BigInt(described.transactionStartTimeMs),
      producerId: BigInt(described.producerId),
      producerEpoch: described.producerEpoch,
      topics: described.topics.map((topic) => ({ topic: topic.topic, partitions: [...topic.partitions] })),
    })),
  }),
)

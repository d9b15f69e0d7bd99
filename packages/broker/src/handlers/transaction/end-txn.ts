// EndTxn (api key 26): v0-4.
// Version notes: v1 is the same as v0; v2 allows PRODUCER_FENCED; v3 is the first flexible
// version; v4 allows TRANSACTION_ABORTABLE. The answer comes after PrepareCommit/PrepareAbort
// is durable, every COMMIT/ABORT marker is written and the transaction is complete, so the
// producer's next transaction never meets CONCURRENT_TRANSACTIONS from this one.
// Not implemented: v5 (an epoch bump on every transaction end, KIP-890 part 2).
import { ApiKey } from '@tributary/protocol'
import type { EndTxnRequest, EndTxnResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'
import { fencedErrorFor } from './producer-fenced.ts'

export const endTxn = defineHandler(
  ApiKey.EndTxn,
  {
    versions: [0, 4],
    errorResponse: (_request: EndTxnRequest, errorCode: number): EndTxnResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
    notImplemented: ['v5 (epoch bump per transaction, KIP-890 part 2)'],
  },
  async (request: EndTxnRequest, context: RequestContext): Promise<EndTxnResponse> => {
    const coordination = coordinationOf(context)
    const errorCode = await coordination.runTransaction(coordination.transactions.endTxn({
      transactionalId: request.transactionalId, producerId: Number(request.producerId), producerEpoch: request.producerEpoch, committed: request.committed,
    }, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, context.apiVersion, 2), producerId: request.producerId, producerEpoch: request.producerEpoch }
  },
)

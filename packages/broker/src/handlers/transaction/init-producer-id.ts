// InitProducerId (api key 22): v0-5.
// Version notes: v1 is the same as v0; v2 is the first flexible version; v3 adds the
// producer's current producerId/producerEpoch so it can bump its epoch after an error
// (KIP-360); v4 allows PRODUCER_FENCED; v5 allows TRANSACTION_ABORTABLE (never sent here).
// transactionalId null: an idempotent producer gets a fresh producer id with epoch 0.
// With a transactionalId whose transaction is ongoing, that transaction is aborted under a
// bumped epoch and the call answers CONCURRENT_TRANSACTIONS (the client retries).
import { ApiKey } from '@tributary/protocol'
import type { InitProducerIdRequest, InitProducerIdResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'
import { fencedErrorFor } from './producer-fenced.ts'

export const initProducerId = defineHandler(
  ApiKey.InitProducerId,
  {
    versions: [0, 5],
    errorResponse: (_request: InitProducerIdRequest, errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
  },
  async (request: InitProducerIdRequest, context: RequestContext): Promise<InitProducerIdResponse> => {
    const coordination = coordinationOf(context)
    const result = await coordination.runTransaction(coordination.transactions.initProducerId({
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: Number(request.producerId),
      producerEpoch: request.producerEpoch,
    }, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, errorCode: fencedErrorFor(result.errorCode, context.apiVersion, 4), producerId: BigInt(result.producerId), producerEpoch: result.producerEpoch }
  },
)

// AddOffsetsToTxn (api key 25): v0-4.
// Version notes: v1 is the same as v0; v2 allows PRODUCER_FENCED; v3 is the first flexible
// version; v4 allows TRANSACTION_ABORTABLE (never sent here). Adds the group's
// __consumer_offsets partition to the transaction so TxnOffsetCommit can follow.
import { ApiKey } from '@tributary/protocol'
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'
import { fencedErrorFor } from './producer-fenced.ts'

export const addOffsetsToTxn = defineHandler(
  ApiKey.AddOffsetsToTxn,
  {
    versions: [0, 4],
    errorResponse: (_request: AddOffsetsToTxnRequest, errorCode: number): AddOffsetsToTxnResponse => ({ throttleTimeMs: 0, errorCode }),
  },
  async (request: AddOffsetsToTxnRequest, context: RequestContext): Promise<AddOffsetsToTxnResponse> => {
    const coordination = coordinationOf(context)
    const errorCode = await coordination.runTransaction(coordination.transactions.addOffsetsToTxn({
      transactionalId: request.transactionalId, producerId: Number(request.producerId), producerEpoch: request.producerEpoch, groupId: request.groupId,
    }, context.broker.clock.nowMs()))
    return { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, context.apiVersion, 2) }
  },
)

// ListTransactions (api key 66): v0-1.
// Version notes: v0 filters by states and producer ids; v1 adds durationFilter (only
// transactions running longer than it, KIP-994). Unknown state names come back in
// unknownStateFilters.
import { ApiKey, ErrorCode } from '@tributary/protocol'
import type { ListTransactionsRequest, ListTransactionsResponse } from '@tributary/protocol'
import { defineHandler } from '../define-handler.ts'
import type { RequestContext } from '../../request-context.ts'
import { coordinationOf } from '../group/coordination-of.ts'

export const listTransactions = defineHandler(
  ApiKey.ListTransactions,
  {
    versions: [0, 1],
    errorResponse: (_request: ListTransactionsRequest, errorCode: number): ListTransactionsResponse => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
  },
  (request: ListTransactionsRequest, context: RequestContext): ListTransactionsResponse => {
    const durationFilterMs = context.apiVersion >= 1 ? Number(request.durationFilter) : -1
    const listed = coordinationOf(context).transactions.listTransactions(
      request.stateFilters, request.producerIdFilters.map((producerId) => Number(producerId)), durationFilterMs, context.broker.clock.nowMs())
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.None,
      unknownStateFilters: listed.unknownStateFilters,
      transactionStates: listed.transactionStates.map((state) => ({ transactionalId: state.transactionalId, producerId: BigInt(state.producerId), transactionState: state.transactionState })),
    }
  },
)

// How group and transaction handlers reach the coordination shell (BrokerContext.coordination).
import type { Coordination } from '../../coordination/coordination.ts'
import type { RequestContext } from '../../request-context.ts'

export function coordinationOf(context: RequestContext): Coordination {
  return context.broker.coordination
}

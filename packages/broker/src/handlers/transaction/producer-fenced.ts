// PRODUCER_FENCED (KIP-588) only reaches clients that announced they understand it by the
// request version; older versions get INVALID_PRODUCER_EPOCH for the same condition.
import { ErrorCode } from '@tributary/protocol'

/** `errorCode`, with PRODUCER_FENCED downgraded for versions below `producerFencedVersion`. */
export function fencedErrorFor(errorCode: number, apiVersion: number, producerFencedVersion: number): number {
  return errorCode === ErrorCode.ProducerFenced && apiVersion < producerFencedVersion ? ErrorCode.InvalidProducerEpoch : errorCode
}

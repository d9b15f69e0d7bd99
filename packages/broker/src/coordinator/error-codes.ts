// The coordinators answer with Kafka error codes as data, never by throwing. The table is the
// generated one of @tributary/protocol (Kafka's errors.json), e.g. ErrorCode.RebalanceInProgress.
export { ErrorCode } from '@tributary/protocol'

// The Kafka runtime of @tributary/streams (part 2). See README.md, "Running on Kafka".
export { KafkaStreams, KafkaStreamsState, type KeyQueryMetadata, type StateListener, type UncaughtErrorResponse } from './kafka-streams.ts'
export { ProcessingGuarantee, type KafkaStreamsConfig, type ProductionErrorPolicy } from './config.ts'
export { KafkaStreamsError, KafkaStreamsErrorCode } from './errors.ts'
export type { KafkaStreamsMetrics, LatencyMetric, RestoreProgress } from './metrics.ts'
export { murmur2, partitionForKey } from './murmur2.ts'
export { placeTasks, type AssignmentInfo, type SubscriptionInfo } from './assignor.ts'
export { planTopics, type TopicPlan, type InternalTopic } from './topic-plan.ts'

// @tributary/client: the only way the layers above reach Kafka. See README.md.
export { createClient, type KafkaClient } from './client.ts'
export { createProducer, Producer, type ProducerOptions } from './producer.ts'
export { createConsumer, Consumer, type ConsumerOptions, type PollOptions, type RebalanceListener } from './consumer.ts'
export { createAdmin, Admin, decodeMemberBytes, type NewTopic, type TopicDescription, type OffsetRequest, type GroupListing, type GroupDescription, type PartitionLag } from './admin.ts'
export { rangeAssignor, roundRobinAssignor, type PartitionAssignor, type AssignmentContext, type GroupMemberSubscription, type MemberAssignment } from './assignor.ts'
export { encodeSubscription, decodeSubscription, encodeAssignment, decodeAssignment, type Subscription, type Assignment } from './consumer-protocol.ts'
export { ClientError, ClientErrorCode, KafkaProtocolError, KafkaErrorCode, kafkaErrorInfo, type KafkaErrorInfo, type ErrorDomain } from './errors.ts'
export { OffsetSpec, type ListedOffset } from './offsets.ts'
export {
  Compression,
  IsolationLevel,
  topicPartitionKey,
  type ClientOptions,
  type ConsumerGroupMetadata,
  type ConsumerRecord,
  type ProducerRecord,
  type RecordHeader,
  type RecordMetadata,
  type TopicPartition,
  type TopicPartitionOffset,
} from './types.ts'

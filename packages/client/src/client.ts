// The supplier: one set of connection settings, factories for the three clients. Layers above
// (streams, sql, connectors, platform) take a `KafkaClient` and never construct clients directly,
// so tests can point them at any broker, as Kafka Streams' KafkaClientSupplier allows.
import { Admin } from './admin.ts'
import { Consumer, type ConsumerOptions } from './consumer.ts'
import { Producer, type ProducerOptions } from './producer.ts'
import type { ClientOptions } from './types.ts'

export interface KafkaClient {
  readonly options: ClientOptions
  producer(options?: Omit<ProducerOptions, keyof ClientOptions>): Producer
  consumer(options?: Omit<ConsumerOptions, keyof ClientOptions>): Consumer
  admin(): Admin
}

export function createClient(options: ClientOptions): KafkaClient {
  const frozen = Object.freeze({ ...options })
  return {
    options: frozen,
    producer: (producerOptions = {}) => new Producer({ ...frozen, ...producerOptions }),
    consumer: (consumerOptions = {}) => new Consumer({ ...frozen, ...consumerOptions }),
    admin: () => new Admin(frozen),
  }
}

// How Materialized configures a DSL store builder: logging and the record cache. DSL stores are
// cached unless Materialized says otherwise, as in Kafka Streams.
import type { StateStore } from '../state/state-store.ts'
import type { ConfigurableStoreBuilder } from '../state/stores.ts'
import type { Materialized } from './options.ts'

export function materializedOptions<S extends StateStore>(builder: ConfigurableStoreBuilder<S>, materialized: Materialized<any, any>): ConfigurableStoreBuilder<S> {
  const logged = materialized.loggingEnabled === false ? builder.withLoggingDisabled() : builder
  return materialized.cachingEnabled === false ? logged.withCachingDisabled() : logged.withCachingEnabled()
}

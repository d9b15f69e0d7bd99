// @tributary/streams/testing: run a topology without a broker, and the state store contract
// suites a new store implementation must pass.
export { TopologyTestDriver, type TopologyTestDriverConfig } from './topology-test-driver.ts'
export { TestInputTopic, TestOutputTopic, type TestRecord, type InputTopicOptions } from './test-topics.ts'
export type { ReadOnlyKeyValueStore, ReadOnlyWindowStore, ReadOnlySessionStore } from './store-views.ts'
export { runKeyValueStoreContract } from '../state/key-value-store.contract.ts'
export { runWindowStoreContract } from '../state/window-store.contract.ts'
export { runSessionStoreContract } from '../state/session-store.contract.ts'
export { CapturingLogger } from './capturing-logger.ts'

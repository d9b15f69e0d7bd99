export { ManualClock } from './manual-clock.ts'
export { startTestBroker, type TestBroker } from './test-broker.ts'

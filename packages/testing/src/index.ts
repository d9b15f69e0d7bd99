export { ManualClock } from './manual-clock.ts'
export { startTestBroker, type TestBroker } from './test-broker.ts'
export { ensureRefbroker, refbrokerBinaryPath, refbrokerSourceDir, startRefbroker, type Refbroker, type RefbrokerOptions } from './refbroker.ts'

// @tributary/protocol: Kafka's wire protocol as pure functions over bytes. No I/O.
export type { Clock } from './clock.ts'
export * from './primitives/index.ts'
export * from './errors.ts'
export * from './assert.ts'
export * from './headers.ts'
export * from './generated/index.ts'
export * from './records/index.ts'

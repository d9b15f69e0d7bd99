// Recording proxy and fixture writer, for scripts that record other scenarios.
export { loadApiCatalog, type ApiInfo } from './api-catalog.ts'
export { FrameSplitter, encodeFrame, frameBytesMax } from './frame-splitter.ts'
export { rewriteAdvertisedPorts } from './address-rewrite.ts'
export { startRecordingProxy, type Exchange, type RecordingProxy, type RecordingProxyOptions } from './recording-proxy.ts'
export { selectExemplars, writeFixtures, type Fixture, type FixtureMetadata } from './fixture-writer.ts'

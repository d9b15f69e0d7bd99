// The generator as a library, for tests that check generated code against the specs.
export { generate, loadSpecs, readKafkaCommit } from './generate.ts'
export { protocolDir, outputDir, repoRoot } from './paths.ts'
export { parseMessageSpec, propertyNameOf, kebabCaseOf } from './spec.ts'
export type { FieldSpec, FieldType, MessageSpec, StructSpec, PrimitiveName } from './spec.ts'
export { parseVersions, contains, intersect, formatVersions, versionCondition } from './versions.ts'
export type { Versions } from './versions.ts'
export { parseJsonc, stripJsonComments } from './jsonc.ts'

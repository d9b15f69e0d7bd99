// The model of one message spec file, resolved: version strings parsed, struct types linked,
// TypeScript names chosen. Parsing validates what the emitter relies on and fails loudly.
import { parseVersions, intersect, type Versions } from './versions.ts'

export type PrimitiveName = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'uuid' | 'bytes'
export const primitiveNames: readonly PrimitiveName[] = ['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'uuid', 'bytes']

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'records' }
  | { kind: 'struct'; struct: StructSpec }
  | { kind: 'array'; element: { kind: 'primitive'; name: PrimitiveName } | { kind: 'struct'; struct: StructSpec } }

export interface FieldSpec {
  /** The spec's name, PascalCase ("ThrottleTimeMs"). */
  name: string
  /** The TypeScript property ("throttleTimeMs"). */
  propertyName: string
  type: FieldType
  /** Versions the field exists in, already limited to the message's valid versions. */
  versions: Versions | null
  nullableVersions: Versions | null
  taggedVersions: Versions | null
  tag: number | null
  ignorable: boolean
  /** Raw "default" from the spec, if any. */
  defaultValue: string | number | boolean | undefined
  /** Per-field override of the message's flexible versions (only RequestHeader.ClientId uses it). */
  flexibleVersions: Versions | null | undefined
  about: string
  entityType: string | undefined
  mapKey: boolean
}

export interface StructSpec {
  /** The spec's struct name ("TopicProduceData"). */
  specName: string
  /** The exported TypeScript name, prefixed with the message name ("ProduceRequestTopicProduceData"). */
  typeName: string
  fields: FieldSpec[]
  /** Set by the emitter's analysis: union of versions in which the struct is read. */
  about: string
}

export type MessageKind = 'request' | 'response' | 'header' | 'data'

export interface MessageSpec {
  name: string
  kind: MessageKind
  apiKey: number | null
  validVersions: Versions
  flexibleVersions: Versions | null
  latestVersionUnstable: boolean
  /** The message's own top-level struct (typeName = message name). */
  root: StructSpec
  /** Every other struct, in order of first definition. */
  structs: StructSpec[]
  sourceFile: string
}

interface RawField {
  name?: unknown
  type?: unknown
  versions?: unknown
  nullableVersions?: unknown
  taggedVersions?: unknown
  tag?: unknown
  ignorable?: unknown
  default?: unknown
  flexibleVersions?: unknown
  about?: unknown
  entityType?: unknown
  mapKey?: unknown
  fields?: unknown
}

/** Parses one spec object (already JSONC-decoded). `sourceFile` names it in errors and headers. */
export function parseMessageSpec(raw: unknown, sourceFile: string): MessageSpec {
  const fail = (message: string): never => {
    throw new Error(`${sourceFile}: ${message}`)
  }
  if (typeof raw !== 'object' || raw === null) return fail('not an object')
  const spec = raw as Record<string, unknown>
  const name = typeof spec.name === 'string' ? spec.name : fail('missing name')
  const kind = spec.type
  if (kind !== 'request' && kind !== 'response' && kind !== 'header' && kind !== 'data') return fail(`unsupported type ${String(kind)}`)
  const validVersions = parseVersions(String(spec.validVersions)) ?? fail('validVersions is none')
  const flexibleVersions = spec.flexibleVersions === undefined ? null : parseVersions(String(spec.flexibleVersions))
  const apiKey = typeof spec.apiKey === 'number' ? spec.apiKey : null
  if ((kind === 'request' || kind === 'response') && apiKey === null) fail('request/response without apiKey')

  const structs: StructSpec[] = []
  const byName = new Map<string, StructSpec>()
  const pending: Array<{ field: FieldSpec; typeName: string }> = []
  const typeNameOf = (structName: string) => (structName.startsWith(name) ? structName : `${name}${structName}`)

  const defineStruct = (specName: string, rawFields: unknown, parentVersions: Versions | null): StructSpec => {
    if (byName.has(specName)) fail(`struct ${specName} defined twice`)
    const struct: StructSpec = { specName, typeName: typeNameOf(specName), fields: [], about: '' }
    byName.set(specName, struct)
    structs.push(struct)
    struct.fields = parseFields(rawFields, parentVersions)
    return struct
  }

  const parseFields = (rawFields: unknown, parentVersions: Versions | null): FieldSpec[] => {
    if (!Array.isArray(rawFields)) return fail('fields is not an array')
    const fields = rawFields.map((rawField: RawField) => parseField(rawField, parentVersions))
    const seen = new Set<string>()
    for (const field of fields) {
      if (seen.has(field.propertyName)) fail(`duplicate field ${field.name}`)
      seen.add(field.propertyName)
    }
    return fields
  }

  const parseField = (rawField: RawField, parentVersions: Versions | null): FieldSpec => {
    const fieldName = typeof rawField.name === 'string' ? rawField.name : fail('field without name')
    const where = `field ${fieldName}`
    const typeText = typeof rawField.type === 'string' ? rawField.type.trim() : fail(`${where}: missing type`)
    const versions = intersect(parseVersions(String(rawField.versions ?? fail(`${where}: missing versions`))), parentVersions)
    const field: FieldSpec = {
      name: fieldName,
      propertyName: propertyNameOf(fieldName),
      type: { kind: 'records' },
      versions,
      nullableVersions: rawField.nullableVersions === undefined ? null : parseVersions(String(rawField.nullableVersions)),
      taggedVersions: rawField.taggedVersions === undefined ? null : parseVersions(String(rawField.taggedVersions)),
      tag: rawField.tag === undefined ? null : Number(rawField.tag),
      ignorable: rawField.ignorable === true,
      defaultValue: rawField.default as string | number | boolean | undefined,
      flexibleVersions: rawField.flexibleVersions === undefined ? undefined : parseVersions(String(rawField.flexibleVersions)),
      about: typeof rawField.about === 'string' ? rawField.about : '',
      entityType: typeof rawField.entityType === 'string' ? rawField.entityType : undefined,
      mapKey: rawField.mapKey === true,
    }
    if ((field.tag === null) !== (field.taggedVersions === null)) fail(`${where}: tag and taggedVersions go together`)
    if (field.propertyName === 'unknownTaggedFields') fail(`${where}: name clashes with unknownTaggedFields`)
    const isArray = typeText.startsWith('[]')
    const elementText = isArray ? typeText.slice(2) : typeText
    if ((primitiveNames as readonly string[]).includes(elementText)) {
      field.type = isArray ? { kind: 'array', element: { kind: 'primitive', name: elementText as PrimitiveName } } : { kind: 'primitive', name: elementText as PrimitiveName }
      if (rawField.fields !== undefined) fail(`${where}: primitive with fields`)
    } else if (elementText === 'records') {
      if (isArray) fail(`${where}: arrays of records are not supported`)
      field.type = { kind: 'records' }
    } else if (/^[A-Z][A-Za-z0-9]*$/.test(elementText)) {
      if (rawField.fields !== undefined) {
        const struct = defineStruct(elementText, rawField.fields, versions)
        field.type = isArray ? { kind: 'array', element: { kind: 'struct', struct } } : { kind: 'struct', struct }
      } else {
        pending.push({ field, typeName: typeText })
      }
    } else fail(`${where}: unknown type ${typeText}`)
    return field
  }

  const rootFields = parseFields(spec.fields ?? [], validVersions)
  if (Array.isArray(spec.commonStructs)) {
    for (const common of spec.commonStructs as Array<Record<string, unknown>>) {
      const commonName = typeof common.name === 'string' ? common.name : fail('common struct without name')
      defineStruct(commonName, common.fields, validVersions)
    }
  }
  for (const { field, typeName } of pending) {
    const isArray = typeName.startsWith('[]')
    const struct = byName.get(isArray ? typeName.slice(2) : typeName) ?? fail(`field ${field.name}: unknown struct ${typeName}`)
    field.type = isArray ? { kind: 'array', element: { kind: 'struct', struct } } : { kind: 'struct', struct }
  }
  const root: StructSpec = { specName: name, typeName: name, fields: rootFields, about: '' }
  if (byName.has(name)) fail(`struct named like the message: ${name}`)
  return {
    name,
    kind,
    apiKey,
    validVersions,
    flexibleVersions,
    latestVersionUnstable: spec.latestVersionUnstable === true,
    root,
    structs,
    sourceFile,
  }
}

/** "ThrottleTimeMs" → "throttleTimeMs"; "ISRNodes" → "isrNodes"; "ID" → "id". */
export function propertyNameOf(specName: string): string {
  const match = /^[A-Z]+/.exec(specName)
  if (!match) return specName
  const upper = match[0]
  if (upper.length === specName.length) return specName.toLowerCase()
  if (upper.length === 1) return specName[0].toLowerCase() + specName.slice(1)
  // "ISRNodes": keep the last capital, which starts the next word.
  return upper.slice(0, -1).toLowerCase() + specName.slice(upper.length - 1)
}

/** "ProduceRequest" → "produce-request"; "ApiVersions" → "api-versions"; "KRaftVersionRecord" → "k-raft-version-record". */
export function kebabCaseOf(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
}

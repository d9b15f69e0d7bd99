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
  return new SpecParser(sourceFile).parse(raw)
}

class SpecParser {
  readonly sourceFile: string
  name = ''
  readonly structs: StructSpec[] = []
  readonly byName = new Map<string, StructSpec>()
  /** Fields whose struct type is defined elsewhere (commonStructs), resolved at the end. */
  readonly pending: Array<{ field: FieldSpec; typeText: string }> = []

  constructor(sourceFile: string) {
    this.sourceFile = sourceFile
  }

  fail(message: string): never {
    throw new Error(`${this.sourceFile}: ${message}`)
  }

  parse(raw: unknown): MessageSpec {
    if (typeof raw !== 'object' || raw === null) return this.fail('not an object')
    const spec = raw as Record<string, unknown>
    this.name = typeof spec.name === 'string' ? spec.name : this.fail('missing name')
    const kind = spec.type
    if (kind !== 'request' && kind !== 'response' && kind !== 'header' && kind !== 'data') return this.fail(`unsupported type ${String(kind)}`)
    const validVersions = parseVersions(String(spec.validVersions)) ?? this.fail('validVersions is none')
    const flexibleVersions = spec.flexibleVersions === undefined ? null : parseVersions(String(spec.flexibleVersions))
    const apiKey = typeof spec.apiKey === 'number' ? spec.apiKey : null
    if ((kind === 'request' || kind === 'response') && apiKey === null) this.fail('request/response without apiKey')
    const rootFields = this.parseFields(spec.fields ?? [], validVersions)
    const commonStructs = Array.isArray(spec.commonStructs) ? (spec.commonStructs as Array<Record<string, unknown>>) : []
    for (const common of commonStructs) {
      const commonName = typeof common.name === 'string' ? common.name : this.fail('common struct without name')
      this.defineStruct(commonName, common.fields, validVersions)
    }
    for (const { field, typeText } of this.pending) {
      const isArray = typeText.startsWith('[]')
      const struct = this.byName.get(isArray ? typeText.slice(2) : typeText) ?? this.fail(`field ${field.name}: unknown struct ${typeText}`)
      field.type = isArray ? { kind: 'array', element: { kind: 'struct', struct } } : { kind: 'struct', struct }
    }
    if (this.byName.has(this.name)) this.fail(`struct named like the message: ${this.name}`)
    const root: StructSpec = { specName: this.name, typeName: this.name, fields: rootFields }
    return {
      name: this.name, kind, apiKey, validVersions, flexibleVersions,
      latestVersionUnstable: spec.latestVersionUnstable === true,
      root, structs: this.structs, sourceFile: this.sourceFile,
    }
  }

  defineStruct(specName: string, rawFields: unknown, parentVersions: Versions | null): StructSpec {
    if (this.byName.has(specName)) this.fail(`struct ${specName} defined twice`)
    const typeName = specName.startsWith(this.name) ? specName : `${this.name}${specName}`
    const struct: StructSpec = { specName, typeName, fields: [] }
    this.byName.set(specName, struct)
    this.structs.push(struct)
    struct.fields = this.parseFields(rawFields, parentVersions)
    return struct
  }

  parseFields(rawFields: unknown, parentVersions: Versions | null): FieldSpec[] {
    if (!Array.isArray(rawFields)) return this.fail('fields is not an array')
    const fields = rawFields.map((rawField: RawField) => this.parseField(rawField, parentVersions))
    const seen = new Set<string>()
    for (const field of fields) {
      if (seen.has(field.propertyName)) this.fail(`duplicate field ${field.name}`)
      seen.add(field.propertyName)
    }
    return fields
  }

  parseField(rawField: RawField, parentVersions: Versions | null): FieldSpec {
    const fieldName = typeof rawField.name === 'string' ? rawField.name : this.fail('field without name')
    const where = `field ${fieldName}`
    const typeText = typeof rawField.type === 'string' ? rawField.type.trim() : this.fail(`${where}: missing type`)
    const versions = intersect(parseVersions(String(rawField.versions ?? this.fail(`${where}: missing versions`))), parentVersions)
    const optionalVersions = (value: unknown) => (value === undefined ? null : parseVersions(String(value)))
    const field: FieldSpec = {
      name: fieldName,
      propertyName: propertyNameOf(fieldName),
      type: { kind: 'records' },
      versions,
      nullableVersions: optionalVersions(rawField.nullableVersions),
      taggedVersions: optionalVersions(rawField.taggedVersions),
      tag: rawField.tag === undefined ? null : Number(rawField.tag),
      ignorable: rawField.ignorable === true,
      defaultValue: rawField.default as string | number | boolean | undefined,
      flexibleVersions: rawField.flexibleVersions === undefined ? undefined : parseVersions(String(rawField.flexibleVersions)),
      about: typeof rawField.about === 'string' ? rawField.about : '',
      entityType: typeof rawField.entityType === 'string' ? rawField.entityType : undefined,
      mapKey: rawField.mapKey === true,
    }
    if ((field.tag === null) !== (field.taggedVersions === null)) this.fail(`${where}: tag and taggedVersions go together`)
    if (field.tag !== null && !(Number.isInteger(field.tag) && field.tag >= 0)) this.fail(`${where}: bad tag ${String(rawField.tag)}`)
    if (field.propertyName === 'unknownTaggedFields') this.fail(`${where}: name clashes with unknownTaggedFields`)
    field.type = this.parseType(field, typeText, rawField.fields, versions)
    return field
  }

  parseType(field: FieldSpec, typeText: string, rawFields: unknown, versions: Versions | null): FieldType {
    const where = `field ${field.name}`
    const isArray = typeText.startsWith('[]')
    const elementText = isArray ? typeText.slice(2) : typeText
    if ((primitiveNames as readonly string[]).includes(elementText)) {
      if (rawFields !== undefined) this.fail(`${where}: primitive with fields`)
      const element = { kind: 'primitive', name: elementText as PrimitiveName } as const
      return isArray ? { kind: 'array', element } : element
    }
    if (elementText === 'records') return isArray ? this.fail(`${where}: arrays of records are not supported`) : { kind: 'records' }
    if (!/^[A-Z][A-Za-z0-9]*$/.test(elementText)) return this.fail(`${where}: unknown type ${typeText}`)
    if (rawFields === undefined) {
      this.pending.push({ field, typeText })
      return { kind: 'records' } // replaced once every struct is known
    }
    const struct = this.defineStruct(elementText, rawFields, versions)
    return isArray ? { kind: 'array', element: { kind: 'struct', struct } } : { kind: 'struct', struct }
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

// Builds representative messages straight from a spec, independently of the emitter: for a
// version, every field present gets a non-default value (or null, in the null variant), every
// absent field its default. Used by the round-trip tests of the generated codecs.
import type { FieldSpec, MessageSpec, PrimitiveName, StructSpec } from './spec.ts'
import { contains, intersect } from './versions.ts'

export type Variant = 'values' | 'nulls'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** A message of `spec` for `version`; `variant` chooses null or a value for nullable fields. */
export function sampleMessage(spec: MessageSpec, version: number, variant: Variant): Record<string, unknown> {
  return sampleStruct(spec.root, spec, version, variant, 1)
}

function sampleStruct(struct: StructSpec, spec: MessageSpec, version: number, variant: Variant, seed: number): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  struct.fields.forEach((field, index) => {
    result[field.propertyName] = contains(field.versions, version)
      ? sampleField(field, spec, version, variant, seed * 31 + index)
      : defaultValue(field)
  })
  if (variant === 'values' && contains(spec.flexibleVersions, version)) {
    result.unknownTaggedFields = [{ tag: 1000 + seed % 7, data: new Uint8Array([seed & 0xff, 7]) }]
  }
  return result
}

function sampleField(field: FieldSpec, spec: MessageSpec, version: number, variant: Variant, seed: number): unknown {
  const nullable = contains(field.nullableVersions, version)
  if (nullable && variant === 'nulls') {
    // A nullable tagged field whose default is null is simply not written; null round-trips too.
    return null
  }
  const type = field.type
  switch (type.kind) {
    case 'records': return new Uint8Array([0, 1, 2, 3, seed & 0xff])
    case 'struct': return sampleStruct(type.struct, spec, version, variant, seed)
    case 'array': {
      const element = type.element
      const make = (index: number) => element.kind === 'struct'
        ? sampleStruct(element.struct, spec, version, variant, seed + index)
        : samplePrimitive(element.name, undefined, seed + index, field)
      return [make(1), make(2)]
    }
    case 'primitive': return samplePrimitive(type.name, field.defaultValue, seed, field)
  }
}

function samplePrimitive(name: PrimitiveName, raw: FieldSpec['defaultValue'], seed: number, field: FieldSpec): unknown {
  const avoid = (value: number, limit: number) => {
    const fallback = raw === undefined || raw === 'null' ? 0 : Number(raw)
    return value === fallback ? (value + 1) % limit : value
  }
  switch (name) {
    case 'bool': return !(raw === true || raw === 'true')
    case 'int8': return avoid(seed % 100 + 1, 127)
    case 'int16': return avoid(seed % 30000 + 300, 32767)
    case 'uint16': return avoid(40000 + seed % 20000, 65535)
    case 'int32': return avoid(70000 + seed, 2 ** 31 - 1)
    case 'uint32': return avoid(3_000_000_000 + seed, 2 ** 32 - 1)
    case 'int64': return 5_000_000_000n + BigInt(seed)
    case 'float64': return 1.5 + seed
    case 'string': return seed % 3 === 0 ? `${field.propertyName}-é-${seed}` : `${field.propertyName}-${seed}`
    case 'uuid': return `0123abcd-${(seed % 0xffff).toString(16).padStart(4, '0')}-4000-8000-00000000ffff`
    case 'bytes': return new Uint8Array([9, 8, seed & 0xff])
  }
}

/** The value a field takes when its version lacks it (the spec's defaulting rules). */
export function defaultValue(field: FieldSpec): unknown {
  const raw = field.defaultValue
  if (raw === 'null') return null
  const type = field.type
  switch (type.kind) {
    case 'records': return null
    case 'array': return []
    case 'struct': {
      const result: Record<string, unknown> = {}
      for (const child of type.struct.fields) result[child.propertyName] = defaultValue(child)
      return result
    }
    case 'primitive':
      switch (type.name) {
        case 'bool': return raw === true || raw === 'true'
        case 'string': return raw === undefined ? '' : String(raw)
        case 'uuid': return ZERO_UUID
        case 'bytes': return new Uint8Array(0)
        case 'int64': return raw === undefined ? 0n : BigInt(String(raw))
        default: return raw === undefined ? 0 : Number(raw)
      }
  }
}

/** Versions of a message, all of them. */
export function versionsOf(spec: MessageSpec): number[] {
  const result: number[] = []
  for (let version = spec.validVersions.min; version <= spec.validVersions.max; version++) result.push(version)
  return result
}

/** True when some field of the message is nullable in `version` (so the null variant differs). */
export function hasNullable(spec: MessageSpec, version: number): boolean {
  const visit = (struct: StructSpec): boolean => struct.fields.some((field) => {
    if (intersect(field.nullableVersions, field.versions) !== null && contains(field.nullableVersions, version)) return true
    const type = field.type
    if (type.kind === 'struct') return visit(type.struct)
    if (type.kind === 'array' && type.element.kind === 'struct') return visit(type.element.struct)
    return false
  })
  return visit(spec.root)
}

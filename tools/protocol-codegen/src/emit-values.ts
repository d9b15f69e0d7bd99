// TypeScript snippets for one field's value: its type, default, default test, and the
// expressions/statements that read or write it given the flexible and nullable conditions.
import type { FieldSpec, FieldType, PrimitiveName, StructSpec } from './spec.ts'
import { intersect } from './versions.ts'

/** Tracks which runtime helpers a generated file uses, so it imports exactly those. */
export class Imports {
  readonly support = new Set<string>()
  readonly uuid = new Set<string>()
  readonly types = new Set<string>()
}

/** A condition known at generation time ('true'/'false') or a TypeScript expression over `version`. */
export type Condition = string

export function not(condition: Condition): Condition {
  if (condition === 'true') return 'false'
  if (condition === 'false') return 'true'
  return `!(${condition})`
}

export function and(a: Condition, b: Condition): Condition {
  if (a === 'false' || b === 'false') return 'false'
  if (a === 'true') return b
  if (b === 'true') return a
  return `${a} && ${b}`
}

/** `condition ? whenTrue : whenFalse`, folded when the condition is constant. */
export function choose(condition: Condition, whenTrue: string, whenFalse: string): string {
  if (condition === 'true') return whenTrue
  if (condition === 'false') return whenFalse
  if (whenTrue === whenFalse) return whenTrue
  return `(${condition} ? ${whenTrue} : ${whenFalse})`
}

/** Statements for `if (condition) whenTrue else whenFalse`, folded when the condition is constant. */
export function chooseStatements(condition: Condition, whenTrue: string[], whenFalse: string[]): string[] {
  if (condition === 'true') return whenTrue
  if (condition === 'false') return whenFalse
  if (whenTrue.join('\n') === whenFalse.join('\n')) return whenTrue
  if (whenTrue.length === 1 && whenFalse.length === 1 && !whenTrue[0].startsWith('if ')) return [`if (${condition}) ${whenTrue[0]}`, `else ${whenFalse[0]}`]
  return [`if (${condition}) {`, ...whenTrue.map((line) => `  ${line}`), '} else {', ...whenFalse.map((line) => `  ${line}`), '}']
}

/** True when the field can hold null in some version, or defaults to null. */
export function isNullableType(field: FieldSpec): boolean {
  if (field.type.kind === 'records') return true
  return intersect(field.nullableVersions, field.versions) !== null || field.defaultValue === 'null'
}

const primitiveTypes: Record<PrimitiveName, string> = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'bigint', float64: 'number', string: 'string', uuid: 'string', bytes: 'Uint8Array',
}

export function typeOf(field: FieldSpec): string {
  const base = baseTypeOf(field.type)
  return isNullableType(field) ? `${base} | null` : base
}

function baseTypeOf(type: FieldType): string {
  switch (type.kind) {
    case 'primitive': return primitiveTypes[type.name]
    case 'records': return 'Uint8Array'
    case 'struct': return type.struct.typeName
    case 'array': return type.element.kind === 'primitive' ? `${primitiveTypes[type.element.name]}[]` : `${type.element.struct.typeName}[]`
  }
}

/** The value a field takes when its version lacks it, as a TypeScript expression. */
export function defaultOf(field: FieldSpec, imports: Imports): string {
  const raw = field.defaultValue
  if (raw === 'null') return 'null'
  const type = field.type
  switch (type.kind) {
    case 'records': return 'null'
    case 'array': return '[]'
    case 'struct': return `default${type.struct.typeName}()`
    case 'primitive': return primitiveDefault(field, type.name, imports)
  }
}

function primitiveDefault(field: FieldSpec, name: PrimitiveName, imports: Imports): string {
  const raw = field.defaultValue
  switch (name) {
    case 'bool': return String(raw === true || raw === 'true')
    case 'string': return JSON.stringify(raw === undefined ? '' : String(raw))
    case 'uuid':
      imports.uuid.add('ZERO_UUID')
      return 'ZERO_UUID'
    case 'bytes':
      imports.support.add('EMPTY_BYTES')
      return 'EMPTY_BYTES'
    case 'int64': return raw === undefined ? '0n' : `${parseInteger(String(raw), field)}n`
    case 'float64': return raw === undefined ? '0' : String(Number(raw))
    default: return raw === undefined ? '0' : String(parseInteger(String(raw), field))
  }
}

function parseInteger(text: string, field: FieldSpec): bigint {
  const trimmed = text.trim()
  const match = /^(-?)0x([0-9a-f]+)$/i.exec(trimmed)
  if (match) return (match[1] === '-' ? -1n : 1n) * BigInt(`0x${match[2]}`)
  if (!/^-?\d+$/.test(trimmed)) throw new Error(`field ${field.name}: bad integer default ${text}`)
  return BigInt(trimmed)
}

/** An expression true when `access` holds the field's default (what Kafka leaves out or rejects). */
export function isDefaultExpression(field: FieldSpec, access: string, imports: Imports): string {
  const defaultValue = defaultOf(field, imports)
  if (defaultValue === 'null') return `${access} === null`
  const nullable = isNullableType(field)
  const guard = nullable ? `${access} !== null && ` : ''
  const type = field.type
  if (type.kind === 'array') return `${guard}${access}.length === 0`
  if (type.kind === 'struct') return `${guard}isDefault${type.struct.typeName}(${access})`
  if (type.kind === 'primitive' && type.name === 'bytes') return `${guard}${access}.length === 0`
  return `${access} === ${defaultValue}`
}

const fixedReads: Partial<Record<PrimitiveName, string>> = {
  bool: 'readBoolean', int8: 'readInt8', int16: 'readInt16', uint16: 'readUint16', int32: 'readInt32',
  uint32: 'readUint32', int64: 'readInt64', float64: 'readFloat64', uuid: 'readUuid',
}
const fixedWrites: Partial<Record<PrimitiveName, string>> = {
  bool: 'writeBoolean', int8: 'writeInt8', int16: 'writeInt16', uint16: 'writeUint16', int32: 'writeInt32',
  uint32: 'writeUint32', int64: 'writeInt64', float64: 'writeFloat64', uuid: 'writeUuid',
}

/** Encoded size of fixed-size primitives; variable ones give their smallest size. */
export function minPrimitiveBytes(name: PrimitiveName, flexible: boolean): number {
  switch (name) {
    case 'bool': case 'int8': return 1
    case 'int16': case 'uint16': return 2
    case 'int32': case 'uint32': return 4
    case 'int64': case 'float64': return 8
    case 'uuid': return 16
    case 'string': return flexible ? 1 : 2
    case 'bytes': return flexible ? 1 : 4
  }
}

/** Method suffix of variable-length kinds: [compact nullable, compact, nullable, plain]. */
function variableMethods(kind: 'String' | 'Bytes'): [string, string, string, string] {
  return [`CompactNullable${kind}`, `Compact${kind}`, `Nullable${kind}`, kind]
}

function pick(flexible: Condition, nullable: Condition, methods: [string, string, string, string], prefix: string, args: string): string {
  const compact = choose(nullable, `${prefix}${methods[0]}(${args})`, `${prefix}${methods[1]}(${args})`)
  const classic = choose(nullable, `${prefix}${methods[2]}(${args})`, `${prefix}${methods[3]}(${args})`)
  return choose(flexible, compact, classic)
}

/** An expression reading a primitive or records value. */
export function readScalarExpression(type: FieldType, flexible: Condition, nullable: Condition): string {
  if (type.kind === 'records') return pick(flexible, nullable, variableMethods('Bytes'), 'reader.read', '')
  if (type.kind !== 'primitive') throw new Error('not a scalar')
  const fixed = fixedReads[type.name]
  if (fixed !== undefined) return `reader.${fixed}()`
  return pick(flexible, nullable, variableMethods(type.name === 'string' ? 'String' : 'Bytes'), 'reader.read', '')
}

function pickStatements(flexible: Condition, nullable: Condition, methods: [string, string, string, string], prefix: string, args: string, nonNullArgs: string): string[] {
  const compact = chooseStatements(nullable, [`${prefix}${methods[0]}(${args})`], [`${prefix}${methods[1]}(${nonNullArgs})`])
  const classic = chooseStatements(nullable, [`${prefix}${methods[2]}(${args})`], [`${prefix}${methods[3]}(${nonNullArgs})`])
  return chooseStatements(flexible, compact, classic)
}

/**
 * Statements writing a primitive or records value held in `access`. `nullableType` says the
 * TypeScript type admits null: the caller has already rejected null where the version forbids it.
 */
export function writeScalarStatements(type: FieldType, flexible: Condition, nullable: Condition, access: string, nullableType = false): string[] {
  const nonNull = nullableType ? `${access}!` : access
  if (type.kind === 'records') return pickStatements(flexible, nullable, variableMethods('Bytes'), 'writer.write', access, nonNull)
  if (type.kind !== 'primitive') throw new Error('not a scalar')
  const fixed = fixedWrites[type.name]
  if (fixed !== undefined) return [`writer.${fixed}(${access})`]
  return pickStatements(flexible, nullable, variableMethods(type.name === 'string' ? 'String' : 'Bytes'), 'writer.write', access, nonNull)
}

/** An expression reading an array length (-1 for null when nullable). */
export function readArrayLengthExpression(flexible: Condition, nullable: Condition, minElementBytes: number): string {
  const methods: [string, string, string, string] = ['CompactNullableArrayLength', 'CompactArrayLength', 'NullableArrayLength', 'ArrayLength']
  return pick(flexible, nullable, methods, 'reader.read', String(minElementBytes))
}

/** Statements writing an array length (`-1` for null). */
export function writeArrayLengthStatements(flexible: Condition, length: string): string[] {
  return chooseStatements(flexible, [`writer.writeCompactArrayLength(${length})`], [`writer.writeArrayLength(${length})`])
}

/** An expression reading one array element. */
export function readElementExpression(element: { kind: 'primitive'; name: PrimitiveName } | { kind: 'struct'; struct: StructSpec }, flexible: Condition): string {
  if (element.kind === 'struct') return `read${element.struct.typeName}(reader, version)`
  return readScalarExpression(element, flexible, 'false')
}

/** Statements writing one array element held in `access`. */
export function writeElementStatements(element: { kind: 'primitive'; name: PrimitiveName } | { kind: 'struct'; struct: StructSpec }, flexible: Condition, access: string): string[] {
  if (element.kind === 'struct') return [`write${element.struct.typeName}(writer, ${access}, version)`]
  return writeScalarStatements(element, flexible, 'false', access)
}

// Emits the read, write, default and isDefault functions of one struct (a message's top level
// or a nested struct). The code is straight-line: one statement per field, with version tests
// folded away wherever the struct's version context makes them constant.
import {
  and, defaultOf, isDefaultExpression, isNullableType, not, readArrayLengthExpression, readElementExpression,
  readScalarExpression, typeOf, writeArrayLengthStatements, writeElementStatements, writeScalarStatements, chooseStatements, type Condition, type Imports,
} from './emit-values.ts'
import type { FieldSpec, MessageSpec, StructSpec } from './spec.ts'
import { intersect, versionCondition, type Versions } from './versions.ts'

export interface StructContext {
  message: MessageSpec
  /** The versions in which this struct is read or written. */
  versions: Versions
  /** Smallest encoded size of an element, per struct, for array length checks. */
  minBytes: (struct: StructSpec, versions: Versions) => number
  imports: Imports
}

interface FieldPlan {
  field: FieldSpec
  local: string
  /** Versions (within the context) where the field is present at all. */
  present: Versions | null
  /** Present and not tagged: part of the fixed field sequence. */
  regular: Versions | null
  tagged: Versions | null
}

function planField(field: FieldSpec, context: Versions): FieldPlan {
  const present = intersect(field.versions, context)
  const tagged = intersect(field.taggedVersions, present)
  let regular = present
  if (tagged !== null && present !== null) {
    if (tagged.max < present.max) throw new Error(`field ${field.name}: tagged versions must be open-ended`)
    regular = tagged.min > present.min ? { min: present.min, max: tagged.min - 1 } : null
  }
  return { field, local: `_${field.propertyName}`, present, regular, tagged }
}

/** The `flexible` condition for a field over `range`, using the function's `flexible` local when equal. */
function flexibleFor(context: StructContext, range: Versions | null, override: Versions | null | undefined): Condition {
  const flexibleVersions = override === undefined ? context.message.flexibleVersions : override
  const condition = versionCondition(flexibleVersions, range)
  if (condition !== 'true' && condition !== 'false' && condition === structFlexible(context)) return 'flexible'
  return condition
}

function structFlexible(context: StructContext): Condition {
  return versionCondition(context.message.flexibleVersions, context.versions)
}

/** The read function: `function readX(reader: Reader, version: number): X`. */
export function emitReadFunction(struct: StructSpec, context: StructContext): string[] {
  const plans = struct.fields.map((field) => planField(field, context.versions))
  const lines: string[] = [`function read${struct.typeName}(reader: Reader, version: number): ${struct.typeName} {`]
  const flexibleCondition = structFlexible(context)
  const body: string[] = []
  for (const plan of plans) body.push(...emitFieldRead(plan, context))
  const taggedPlans = plans.filter((plan) => plan.tagged !== null).sort((a, b) => (a.field.tag ?? 0) - (b.field.tag ?? 0))
  const hasTaggedSection = flexibleCondition !== 'false'
  if (hasTaggedSection) {
    context.imports.types.add('TaggedField')
    body.push('let _unknownTaggedFields: TaggedField[] | undefined')
    body.push(...wrapIf(flexibleCondition === 'true' ? 'true' : 'flexible', emitTaggedRead(taggedPlans, context)))
  }
  const properties = plans.map((plan) => `${plan.field.propertyName}: ${plan.local}`)
  body.push(`const result: ${struct.typeName} = { ${properties.join(', ')} }`)
  if (hasTaggedSection) body.push('if (_unknownTaggedFields !== undefined) result.unknownTaggedFields = _unknownTaggedFields')
  body.push('return result')
  if (flexibleCondition !== 'true' && flexibleCondition !== 'false' && body.some((line) => /\bflexible\b/.test(line))) {
    lines.push(`  const flexible = ${flexibleCondition}`)
  }
  lines.push(...indent(body), '}')
  return lines
}

function emitFieldRead(plan: FieldPlan, context: StructContext): string[] {
  const { field, local } = plan
  const type = typeOf(field)
  const regularCondition = versionCondition(plan.regular, context.versions)
  const lines: string[] = []
  if (regularCondition === 'true') {
    const value = readValue(field, plan.regular, context)
    if (value.expression !== undefined) return [`const ${local}: ${type} = ${value.expression}`]
    return [`let ${local}: ${type}`, ...value.statements(local)]
  }
  lines.push(`let ${local}: ${type} = ${defaultOf(field, context.imports)}`)
  if (regularCondition === 'false') return lines
  const value = readValue(field, plan.regular, context)
  const statements = value.expression !== undefined ? [`${local} = ${value.expression}`] : value.statements(local)
  lines.push(...wrapIf(regularCondition, statements))
  return lines
}

interface ValueRead {
  expression?: string
  statements: (target: string) => string[]
}

/** How to read the field's value over `range`, where each version is read in its own form. */
function readValue(field: FieldSpec, range: Versions | null, context: StructContext, tagged = false): ValueRead {
  const flexible = tagged ? 'true' : flexibleFor(context, range, field.flexibleVersions)
  const nullable = versionCondition(field.nullableVersions, range)
  const type = field.type
  if (type.kind === 'primitive' || type.kind === 'records') {
    const expression = readScalarExpression(type, flexible, nullable)
    return { expression, statements: (target) => [`${target} = ${expression}`] }
  }
  if (type.kind === 'struct') {
    const read = `read${type.struct.typeName}(reader, version)`
    if (nullable === 'false') return { expression: read, statements: (target) => [`${target} = ${read}`] }
    const marker = tagged ? 'reader.readUnsignedVarint() === 0' : 'reader.readInt8() < 0'
    const expression = nullable === 'true' ? `${marker} ? null : ${read}` : `${nullable} && ${marker} ? null : ${read}`
    return { expression, statements: (target) => [`${target} = ${expression}`] }
  }
  const element = type.element
  const minElementBytes = element.kind === 'struct' ? context.minBytes(element.struct, range ?? context.versions) : elementMinBytes(element.name, flexible)
  const lengthExpression = readArrayLengthExpression(flexible, nullable, minElementBytes)
  const elementExpression = readElementExpression(element, flexible)
  return {
    statements: (target) => {
      const loop = [`${target} = []`, `for (let index = 0; index < length; index++) ${target}.push(${elementExpression})`]
      if (nullable === 'false') return ['{', `  const length = ${lengthExpression}`, ...indent(loop), '}']
      return ['{', `  const length = ${lengthExpression}`, `  if (length < 0) ${target} = null`, '  else {', ...indent(indent(loop)), '  }', '}']
    },
  }
}

function elementMinBytes(name: string, flexible: Condition): number {
  if (name === 'string') return flexible === 'false' ? 2 : 1
  if (name === 'bytes') return flexible === 'false' ? 4 : 1
  const sizes: Record<string, number> = { bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16 }
  return sizes[name]
}

function emitTaggedRead(taggedPlans: FieldPlan[], context: StructContext): string[] {
  const lines = ['const tagCount = reader.readTaggedFieldCount()', 'for (let tagIndex = 0; tagIndex < tagCount; tagIndex++) {']
  lines.push('  const tag = reader.readUnsignedVarint()', '  const size = reader.readUnsignedVarint()')
  const unknown = '_unknownTaggedFields = reader.readUnknownTaggedField(tag, size, _unknownTaggedFields)'
  if (taggedPlans.length === 0) {
    lines.push(`  ${unknown}`, '}')
    return lines
  }
  lines.push('  switch (tag) {')
  for (const plan of taggedPlans) {
    const condition = versionCondition(plan.tagged, context.versions)
    const value = readValue(plan.field, plan.tagged, context, true)
    const read = ['const start = reader.offset', ...(value.expression !== undefined ? [`${plan.local} = ${value.expression}`] : value.statements(plan.local)), 'reader.endTaggedField(start, size)']
    lines.push(`    case ${plan.field.tag}: {`)
    if (condition === 'true') lines.push(...indent(read, 3))
    else lines.push(...indent([`if (${condition}) {`, ...indent(read), `} else ${unknown}`], 3))
    lines.push('      break', '    }')
  }
  lines.push(`    default:`, `      ${unknown}`, '  }', '}')
  return lines
}

/** The write function: `function writeX(writer: Writer, message: X, version: number): void`. */
export function emitWriteFunction(struct: StructSpec, context: StructContext): string[] {
  const plans = struct.fields.map((field) => planField(field, context.versions))
  const name = struct.typeName
  const body: string[] = []
  for (const plan of plans) body.push(...emitFieldWrite(plan, context, name))
  const flexibleCondition = structFlexible(context)
  const taggedPlans = plans.filter((plan) => plan.tagged !== null).sort((a, b) => (a.field.tag ?? 0) - (b.field.tag ?? 0))
  if (flexibleCondition !== 'false') {
    body.push(...wrapIf(flexibleCondition === 'true' ? 'true' : 'flexible', emitTaggedWrite(taggedPlans, context, name)))
  }
  if (flexibleCondition !== 'true' && context.message.flexibleVersions !== null) {
    context.imports.support.add('noTaggedFields').add('taggedFieldsError')
    const check = `if (!noTaggedFields(message.unknownTaggedFields)) throw taggedFieldsError('${name}', version)`
    body.push(flexibleCondition === 'false' ? check : `else ${check}`)
  }
  const lines = [`function write${struct.typeName}(writer: Writer, message: ${struct.typeName}, version: number): void {`]
  if (flexibleCondition !== 'true' && flexibleCondition !== 'false' && body.some((line) => /\bflexible\b/.test(line))) {
    lines.push(`  const flexible = ${flexibleCondition}`)
  }
  lines.push(...indent(body), '}')
  return lines
}

function emitFieldWrite(plan: FieldPlan, context: StructContext, name: string): string[] {
  const { field } = plan
  const access = `message.${field.propertyName}`
  const regularCondition = versionCondition(plan.regular, context.versions)
  const presentCondition = versionCondition(plan.present, context.versions)
  const checkAbsent = presentCondition !== 'true' && !field.ignorable
  const elseFollows = checkAbsent && regularCondition !== 'false' && plan.tagged === null
  const lines: string[] = []
  if (regularCondition !== 'false') lines.push(...wrapIf(regularCondition, writeValue(field, plan.regular, context, name, access), elseFollows))
  if (checkAbsent) {
    context.imports.support.add('absentFieldError')
    const notDefault = not(isDefaultExpression(field, access, context.imports))
    const error = `throw absentFieldError('${name}', '${field.propertyName}', version)`
    if (elseFollows) lines.push(`else if (${notDefault}) ${error}`)
    else lines.push(`if (${and(not(presentCondition), notDefault)}) ${error}`)
  }
  return lines
}

/** Statements writing the field's value held in `access` over `range`. */
function writeValue(field: FieldSpec, range: Versions | null, context: StructContext, name: string, access: string, tagged = false): string[] {
  const flexible = tagged ? 'true' : flexibleFor(context, range, field.flexibleVersions)
  const nullable = versionCondition(field.nullableVersions, range)
  const type = field.type
  const lines: string[] = []
  const nullableType = isNullableType(field)
  if (nullableType && nullable !== 'true') {
    context.imports.support.add('nullFieldError')
    const test = nullable === 'false' ? `${access} === null` : `${access} === null && !(${nullable})`
    lines.push(`if (${test}) throw nullFieldError('${name}', '${field.propertyName}', version)`)
  }
  if (type.kind === 'primitive' || type.kind === 'records') {
    lines.push(...writeScalarStatements(type, flexible, nullable, access, nullableType))
    return lines
  }
  if (type.kind === 'struct') {
    const write = `write${type.struct.typeName}(writer, ${access}, version)`
    if (!nullableType) return [...lines, write]
    if (nullable === 'false') return [...lines, `write${type.struct.typeName}(writer, ${access}!, version)`]
    const marker = tagged ? ['writer.writeUnsignedVarint(0)', 'writer.writeUnsignedVarint(1)'] : ['writer.writeInt8(-1)', 'writer.writeInt8(1)']
    lines.push(`if (${access} === null) ${marker[0]}`)
    if (nullable === 'true') lines.push('else {', `  ${marker[1]}`, `  ${write}`, '}')
    else lines.push('else {', `  if (${nullable}) ${marker[1]}`, `  ${write}`, '}')
    return lines
  }
  const element = type.element
  const elementStatements = writeElementStatements(element, flexible, 'items[index]')
  const loop = elementStatements.length === 1
    ? [`for (let index = 0; index < items.length; index++) ${elementStatements[0]}`]
    : ['for (let index = 0; index < items.length; index++) {', ...indent(elementStatements), '}']
  const body = [`const items = ${access}`, ...writeArrayLengthStatements(flexible, 'items.length'), ...loop]
  if (!nullableType) return [...lines, '{', ...indent(body), '}']
  lines.push(...chooseStatements(`${access} === null`, writeArrayLengthStatements(flexible, '-1'), body))
  return lines
}

function emitTaggedWrite(taggedPlans: FieldPlan[], context: StructContext, name: string): string[] {
  if (taggedPlans.length === 0) return ['writer.writeTaggedFields(message.unknownTaggedFields)']
  context.imports.support.add('writeUnknownTaggedFieldsBefore')
  const lines = ['const unknownTaggedFields = message.unknownTaggedFields', 'let tagCount = unknownTaggedFields === undefined ? 0 : unknownTaggedFields.length']
  for (const plan of taggedPlans) {
    const condition = and(versionCondition(plan.tagged, context.versions), not(isDefaultExpression(plan.field, `message.${plan.field.propertyName}`, context.imports)))
    lines.push(`const writeTag${plan.field.tag} = ${condition}`, `if (writeTag${plan.field.tag}) tagCount++`)
  }
  lines.push('writer.writeUnsignedVarint(tagCount)', 'let unknownIndex = 0')
  for (const plan of taggedPlans) {
    const tag = plan.field.tag
    lines.push(`if (writeTag${tag}) {`)
    lines.push(`  unknownIndex = writeUnknownTaggedFieldsBefore(writer, unknownTaggedFields, unknownIndex, ${tag})`)
    lines.push(`  const start = writer.beginTaggedField(${tag})`)
    lines.push(...indent(writeValue(plan.field, plan.tagged, context, name, `message.${plan.field.propertyName}`, true)))
    lines.push('  writer.endTaggedField(start)', '}')
  }
  lines.push('writeUnknownTaggedFieldsBefore(writer, unknownTaggedFields, unknownIndex, Infinity)')
  return lines
}

/** `defaultX()` and `isDefaultX(value)` for structs used as plain (non-array) fields. */
export function emitDefaultFunctions(struct: StructSpec, context: StructContext): string[] {
  const properties = struct.fields.map((field) => `${field.propertyName}: ${defaultOf(field, context.imports)}`)
  const tests = struct.fields.map((field) => isDefaultExpression(field, `value.${field.propertyName}`, context.imports))
  if (context.message.flexibleVersions !== null) {
    context.imports.support.add('noTaggedFields')
    tests.push('noTaggedFields(value.unknownTaggedFields)')
  }
  return [
    `function default${struct.typeName}(): ${struct.typeName} {`,
    `  return { ${properties.join(', ')} }`,
    '}',
    '',
    `function isDefault${struct.typeName}(value: ${struct.typeName}): boolean {`,
    `  return ${tests.length === 0 ? 'true' : tests.map((test) => `(${test})`).join(' &&\n    ')}`,
    '}',
  ]
}

export function indent(lines: string[], levels = 1): string[] {
  const pad = '  '.repeat(levels)
  return lines.map((line) => (line === '' ? '' : pad + line))
}

function wrapIf(condition: Condition, statements: string[], elseFollows = false): string[] {
  if (condition === 'true') return statements
  if (condition === 'false') return []
  if (statements.length === 1 && !elseFollows && !statements[0].startsWith('if ')) return [`if (${condition}) ${statements[0]}`]
  return [`if (${condition}) {`, ...indent(statements), '}']
}


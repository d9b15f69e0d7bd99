// Emits the cross-message tables: api-keys.ts (ApiKey and the apiMessages table), error-codes.ts
// (from errors.json) and the generated index.ts.
import type { MessageSpec } from './spec.ts'

export interface GeneratedModule {
  /** Path relative to packages/protocol/src/generated, e.g. 'messages/produce.ts'. */
  path: string
  /** Exported codec and type names, for the index. */
  messages: MessageSpec[]
}

export interface ApiEntry {
  apiName: string
  module: string
  request: MessageSpec
  response: MessageSpec
}

export function emitApiKeys(apis: ApiEntry[], header: string): string {
  const sorted = [...apis].sort((a, b) => (a.request.apiKey ?? 0) - (b.request.apiKey ?? 0))
  const lines = [header]
  for (const api of sorted) lines.push(`import { ${api.request.name}, ${api.response.name} } from './${api.module.replace(/\.ts$/, '')}.ts'`)
  lines.push("import type { MessageCodec } from '../primitives/message-codec.ts'", '')
  lines.push('/** Every API key of the protocol, by name. */', 'export const ApiKey = {')
  for (const api of sorted) lines.push(`  ${api.apiName}: ${api.request.apiKey},`)
  lines.push('} as const', 'export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey]', '')
  lines.push('/** The codecs of one API. */', 'export interface ApiMessages {')
  lines.push('  name: string', '  apiKey: number', '  request: MessageCodec<any>', '  response: MessageCodec<any>')
  lines.push('  /** True when the highest version is still under development upstream. */', '  latestVersionUnstable: boolean', '}', '')
  lines.push('/** Request and response codecs by API key. */', 'export const apiMessages: Record<number, ApiMessages> = {')
  for (const api of sorted) {
    lines.push(`  ${api.request.apiKey}: { name: '${api.apiName}', apiKey: ${api.request.apiKey}, request: ${api.request.name}, response: ${api.response.name}, latestVersionUnstable: ${api.request.latestVersionUnstable} },`)
  }
  lines.push('}', '')
  return lines.join('\n')
}

interface ErrorEntry {
  code: number
  name: string
  message: string | null
  retriable: boolean
}

export function emitErrorCodes(errorsJson: unknown, header: string): string {
  const entries = ((errorsJson as { errors?: unknown }).errors ?? []) as ErrorEntry[]
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('errors.json: no errors')
  const sorted = [...entries].sort((a, b) => a.code - b.code)
  const lines = [header, '', '/** Every Kafka error code, by PascalCase name. */', 'export const ErrorCode = {']
  for (const entry of sorted) lines.push(`  ${pascalCaseOf(entry.name)}: ${entry.code},`)
  lines.push('} as const', 'export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]', '')
  lines.push('/** What Kafka says about an error code. */', 'export interface ErrorInfo {')
  lines.push('  code: number', "  /** Kafka's name, such as 'UNKNOWN_TOPIC_OR_PARTITION'. */", '  name: string')
  lines.push('  /** True when retrying the same request may succeed. */', '  retriable: boolean', '  /** Kafka\'s default message. */', '  message: string', '}', '')
  lines.push('const errorTable: ReadonlyMap<number, ErrorInfo> = new Map([')
  for (const entry of sorted) {
    lines.push(`  [${entry.code}, { code: ${entry.code}, name: '${entry.name}', retriable: ${entry.retriable === true}, message: ${JSON.stringify(entry.message ?? '')} }],`)
  }
  lines.push('])', '')
  lines.push('/** Looks up an error code; unknown codes get a descriptive placeholder (never throws). */')
  lines.push('export function errorInfo(code: number): ErrorInfo {')
  lines.push("  return errorTable.get(code) ?? { code, name: 'UNKNOWN', retriable: false, message: `unknown error code ${code}` }")
  lines.push('}', '')
  return lines.join('\n')
}

/** 'UNKNOWN_TOPIC_OR_PARTITION' → 'UnknownTopicOrPartition'. */
export function pascalCaseOf(upperSnake: string): string {
  return upperSnake.toLowerCase().split('_').filter((part) => part !== '').map((part) => part[0].toUpperCase() + part.slice(1)).join('')
}

export function emitIndex(modules: string[], header: string): string {
  const lines = [header]
  for (const module of [...modules].sort()) lines.push(`export * from './${module}'`)
  return lines.join('\n') + '\n'
}

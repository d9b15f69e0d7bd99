// The handler table type: api key → handler definition. Built once from the list in
// handlers/index.ts; ApiVersions, the dispatcher and the protocol-support doc all read it.
import type { HandlerDefinition } from './define-handler.ts'

export interface HandlerTable {
  /** The handler of `apiKey`, or undefined when we do not serve that API. */
  get(apiKey: number): HandlerDefinition | undefined
  /** Every handler, by ascending api key. */
  readonly definitions: readonly HandlerDefinition[]
}

/** Builds the table; two definitions for one api key are a programming error. */
export function createHandlerTable(definitions: readonly HandlerDefinition[]): HandlerTable {
  const byKey = new Map<number, HandlerDefinition>()
  for (const definition of definitions) {
    if (byKey.has(definition.apiKey)) throw new Error(`two handlers for api key ${definition.apiKey} (${definition.name})`)
    byKey.set(definition.apiKey, definition)
  }
  const sorted = [...byKey.values()].sort((left, right) => left.apiKey - right.apiKey)
  return { get: (apiKey) => byKey.get(apiKey), definitions: sorted }
}

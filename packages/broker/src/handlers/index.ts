// THE handler table: every API the broker serves, with its versions. ApiVersions answers from
// it, the dispatcher routes by it, docs/reference/protocol-support.md is rendered from it.
// To add an API, write handlers/<area>/<api-name>.ts with defineHandler(...) and list it here.
import type { HandlerDefinition } from './define-handler.ts'
import { createHandlerTable } from './handler-table.ts'
import { apiVersions } from './api-versions.ts'

/** Every handler definition, in api key order. */
export const handlerDefinitions: readonly HandlerDefinition[] = [
  apiVersions,
]

export const handlerTable = createHandlerTable(handlerDefinitions)

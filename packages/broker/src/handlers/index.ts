// THE handler table: every API the broker serves, with its versions. ApiVersions answers from
// it, the dispatcher routes by it, docs/reference/protocol-support.md is rendered from it.
// To add an API, write handlers/<area>/<api-name>.ts with defineHandler(...) and list it here
// (group and transaction APIs go in handlers/group/ and handlers/transaction/).
import type { HandlerDefinition } from './define-handler.ts'
import { createHandlerTable } from './handler-table.ts'
import { apiVersions } from './api-versions.ts'
import { metadata } from './cluster/metadata.ts'
import { describeCluster } from './cluster/describe-cluster.ts'
import { produce } from './data/produce.ts'
import { fetch } from './data/fetch.ts'
import { listOffsets } from './data/list-offsets.ts'
import { deleteRecords } from './data/delete-records.ts'
import { createTopics } from './topic/create-topics.ts'
import { deleteTopics } from './topic/delete-topics.ts'
import { createPartitions } from './topic/create-partitions.ts'
import { describeConfigs } from './config/describe-configs.ts'
import { alterConfigs } from './config/alter-configs.ts'
import { incrementalAlterConfigs } from './config/incremental-alter-configs.ts'

/** Every handler definition (the table sorts them by api key). */
export const handlerDefinitions: readonly HandlerDefinition[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  describeConfigs,
  alterConfigs,
  createPartitions,
  incrementalAlterConfigs,
  describeCluster,
]

export const handlerTable = createHandlerTable(handlerDefinitions)

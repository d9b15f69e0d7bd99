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
import { findCoordinator } from './group/find-coordinator.ts'
import { joinGroup } from './group/join-group.ts'
import { syncGroup } from './group/sync-group.ts'
import { heartbeat } from './group/heartbeat.ts'
import { leaveGroup } from './group/leave-group.ts'
import { offsetCommit } from './group/offset-commit.ts'
import { offsetFetch } from './group/offset-fetch.ts'
import { describeGroups } from './group/describe-groups.ts'
import { listGroups } from './group/list-groups.ts'
import { deleteGroups } from './group/delete-groups.ts'
import { offsetDelete } from './group/offset-delete.ts'
import { initProducerId } from './transaction/init-producer-id.ts'
import { addPartitionsToTxn } from './transaction/add-partitions-to-txn.ts'
import { addOffsetsToTxn } from './transaction/add-offsets-to-txn.ts'
import { txnOffsetCommit } from './transaction/txn-offset-commit.ts'
import { endTxn } from './transaction/end-txn.ts'
import { describeTransactions } from './transaction/describe-transactions.ts'
import { listTransactions } from './transaction/list-transactions.ts'

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
  findCoordinator,
  joinGroup,
  syncGroup,
  heartbeat,
  leaveGroup,
  offsetCommit,
  offsetFetch,
  describeGroups,
  listGroups,
  deleteGroups,
  offsetDelete,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  txnOffsetCommit,
  endTxn,
  describeTransactions,
  listTransactions,
]

export const handlerTable = createHandlerTable(handlerDefinitions)

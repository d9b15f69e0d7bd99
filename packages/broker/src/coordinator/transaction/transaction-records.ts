// The `__transaction_state` record format (our own, versioned; modelled on the roles of Kafka's
// TransactionLogKey/Value). Key: int16 key type then fields; value: int16 version then fields.
//
//   key type 1  TransactionLogKey   transactionalId string          (value null = expired id)
//   key type 2  ProducerIdBlockKey  (no fields)
//   TransactionLogValue v0  producerId int64, previousProducerId int64, producerEpoch int16,
//                           lastProducerEpoch int16, transactionTimeoutMs int32, state int8,
//                           partitions int32 count × (topic string, partition int32),
//                           transactionLastUpdateTimeMs int64, transactionStartTimeMs int64
//   ProducerIdBlockValue v0  blockStart int64, blockEnd int64 (exclusive): ids handed out durably
import type { CoordinatorRecord } from '../effects.ts'
import { CoordinatorRecordError, RecordReader, RecordWriter } from '../record-codec.ts'
import { TransactionState } from './transaction-types.ts'
import type { TransactionMetadata } from './transaction-types.ts'

const TRANSACTION_KEY = 1
const PRODUCER_ID_BLOCK_KEY = 2
const VALUE_VERSION = 0
const stateCodes: readonly TransactionState[] = [
  TransactionState.Empty, TransactionState.Ongoing, TransactionState.PrepareCommit, TransactionState.PrepareAbort,
  TransactionState.CompleteCommit, TransactionState.CompleteAbort, TransactionState.Dead, TransactionState.PrepareEpochFence,
]

export type TransactionRecord =
  | { readonly type: 'transaction'; readonly transactionalId: string; readonly value: TransactionMetadata | null }
  | { readonly type: 'producerIdBlock'; readonly blockStart: number; readonly blockEnd: number }

export function transactionRecord(transactionalId: string, metadata: TransactionMetadata | null): CoordinatorRecord {
  const key = new RecordWriter().int16(TRANSACTION_KEY).string(transactionalId).finish()
  if (metadata === null) return { key, value: null }
  const writer = new RecordWriter().int16(VALUE_VERSION).int64(metadata.producerId).int64(metadata.previousProducerId)
    .int16(metadata.producerEpoch).int16(metadata.lastProducerEpoch).int32(metadata.transactionTimeoutMs)
    .int8(stateCodes.indexOf(metadata.state))
  const partitions = [...metadata.partitions].flatMap(([topic, set]) => [...set].map((partition) => ({ topic, partition })))
  writer.int32(partitions.length)
  for (const { topic, partition } of partitions) writer.string(topic).int32(partition)
  writer.int64(metadata.transactionLastUpdateTimeMs).int64(metadata.transactionStartTimeMs)
  return { key, value: writer.finish() }
}

export function producerIdBlockRecord(blockStart: number, blockEnd: number): CoordinatorRecord {
  return {
    key: new RecordWriter().int16(PRODUCER_ID_BLOCK_KEY).finish(),
    value: new RecordWriter().int16(VALUE_VERSION).int64(blockStart).int64(blockEnd).finish(),
  }
}

export function decodeTransactionRecord(record: CoordinatorRecord): TransactionRecord {
  const key = new RecordReader(record.key)
  const keyType = key.int16()
  if (keyType === PRODUCER_ID_BLOCK_KEY) {
    if (record.value === null) throw new CoordinatorRecordError('producer id block record without value')
    const value = new RecordReader(record.value)
    checkVersion(value.int16())
    return { type: 'producerIdBlock', blockStart: value.int64(), blockEnd: value.int64() }
  }
  if (keyType !== TRANSACTION_KEY) throw new CoordinatorRecordError(`unknown __transaction_state key type ${keyType}`)
  const transactionalId = key.string()
  if (transactionalId === null) throw new CoordinatorRecordError('null transactionalId')
  if (record.value === null) return { type: 'transaction', transactionalId, value: null }
  const value = new RecordReader(record.value)
  checkVersion(value.int16())
  const producerId = value.int64()
  const previousProducerId = value.int64()
  const producerEpoch = value.int16()
  const lastProducerEpoch = value.int16()
  const transactionTimeoutMs = value.int32()
  const state = stateCodes[value.int8()]
  if (state === undefined) throw new CoordinatorRecordError('unknown transaction state code')
  const partitions = new Map<string, Set<number>>()
  const count = value.int32()
  for (let index = 0; index < count; index++) {
    const topic = value.string()
    if (topic === null) throw new CoordinatorRecordError('null topic in transaction record')
    const set = partitions.get(topic) ?? new Set<number>()
    set.add(value.int32())
    partitions.set(topic, set)
  }
  const transactionLastUpdateTimeMs = value.int64()
  const transactionStartTimeMs = value.int64()
  return {
    type: 'transaction',
    transactionalId,
    value: {
      transactionalId, producerId, previousProducerId, producerEpoch, lastProducerEpoch, transactionTimeoutMs, state,
      partitions, transactionStartTimeMs, transactionLastUpdateTimeMs,
    },
  }
}

function checkVersion(version: number): void {
  if (version !== VALUE_VERSION) throw new CoordinatorRecordError(`unsupported __transaction_state value version ${version}`)
}

// A KafkaStreams instance in its own process, for the exactly-once chaos test (which kills it
// with SIGKILL). Counts records per key under exactly_once_v2. Environment and process
// behaviour: kafka-worker-process.ts.
import { Serdes, StreamsBuilder } from '../src/index.ts'
import { runWorker } from './kafka-worker-process.ts'

const S = Serdes.String()
const L = Serdes.Long()
const builder = new StreamsBuilder()
builder.stream<string, string>('eos-in', { keySerde: S, valueSerde: S })
  .groupByKey()
  .count({ storeName: 'eos-counts' })
  .toStream()
  .to('eos-out', { keySerde: S, valueSerde: L })

await runWorker(builder.build())

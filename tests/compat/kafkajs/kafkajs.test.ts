// KafkaJS 2.2 against our broker and refbroker: see ../README.md.
import { defineClientSuite } from '../support/client-suite.ts'
import { kafkaJs } from '../support/clients/kafkajs.ts'

await defineClientSuite(kafkaJs, { recordsPerCodec: 20_000, recordsReason: '20k: KafkaJS consumes through a group, one fetch loop' })

// python3-confluent-kafka 1.7.0 (librdkafka 2.0.2) against our broker and refbroker: see ../README.md.
import { defineClientSuite } from '../support/client-suite.ts'
import { confluentKafkaPython } from '../support/clients/python.ts'

await defineClientSuite(confluentKafkaPython, { recordsPerCodec: 100_000 })

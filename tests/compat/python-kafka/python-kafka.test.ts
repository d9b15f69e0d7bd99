// python3-kafka (kafka-python 2.0.2, pure Python) against our broker and refbroker: see ../README.md.
import { defineClientSuite } from '../support/client-suite.ts'
import { kafkaPython } from '../support/clients/python.ts'

await defineClientSuite(kafkaPython, { recordsPerCodec: 10_000, recordsReason: '10k: kafka-python encodes and decodes records in pure Python' })

// @platformatic/kafka against our broker and refbroker: see ../README.md.
import { defineClientSuite } from '../support/client-suite.ts'
import { platformaticKafka } from '../support/clients/platformatic.ts'

await defineClientSuite(platformaticKafka, { recordsPerCodec: 20_000, recordsReason: '20k: keeps the suite within minutes' })

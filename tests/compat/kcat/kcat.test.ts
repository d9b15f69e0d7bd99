// kcat (librdkafka 2.0.2) against our broker and refbroker: see ../README.md.
import { defineClientSuite } from '../support/client-suite.ts'
import { kcat } from '../support/clients/kcat.ts'

await defineClientSuite(kcat, { recordsPerCodec: 100_000 })

// A broker in its own process for the crash tests (kill -9): argv[2] is the data directory.
// Prints `listening on HOST:PORT` once it serves. Coordinator settings are the tests' ones.
import { startBroker } from '@tributary/broker'
import { testCoordination } from './eos-fixtures.ts'

const dataDir = process.argv[2]
const broker = await startBroker({ dataDir, port: 0, logLevel: 'warn', flushPolicy: 'every-batch', coordination: testCoordination })
process.stdout.write(`listening on ${broker.host}:${broker.port}\n`)
process.on('SIGTERM', () => {
  void broker.close().then(() => process.exit(0))
})

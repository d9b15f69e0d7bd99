// `tributary broker`: runs the embedded Kafka-wire broker in the foreground. Prints exactly one
// line, `listening on HOST:PORT`, on stdout once it serves; logs go to stderr. SIGINT/SIGTERM
// close it cleanly (in-flight requests answered, logs flushed and closed).
import { parseArgs } from 'node:util'
import { startBroker, flushPolicies, logLevels } from '@tributary/broker'
import type { BrokerOptions, FlushPolicy, LogLevel } from '@tributary/broker'

const help = `Usage: tributary broker [options]

Runs a single-node Kafka-compatible broker.

Options:
  --host <host>               address to bind (default 127.0.0.1)
  --port <port>               port to bind, 0 for any free port (default 9092)
  --advertised-host <host>    host announced to clients in Metadata (default: --host, or 127.0.0.1 for 0.0.0.0)
  --data-dir <dir>            data directory (default ./data/broker)
  --flush-policy <policy>     every-batch | interval | os (default every-batch)
                                every-batch: fsync before acknowledging acks=all/1; nothing acknowledged is lost on a crash
                                interval:    fsync every --flush-interval-ms; a crash loses at most that window
                                os:          never fsync explicitly; the OS page cache decides (process crash safe, power loss not)
  --flush-interval-ms <ms>    fsync period for --flush-policy interval (default 1000)
  --auto-create-topics <bool> create unknown topics on Metadata/Produce (default true)
  --num-partitions <n>        partitions of auto-created topics and CreateTopics with -1 (default 1)
  --log-level <level>         debug | info | warn | error | silent (default info)
  -h, --help                  show this help
`

/** Parses the options, starts the broker and waits for a signal. Returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  let options: BrokerOptions
  try {
    const parsed = parseOptions(argv)
    if (parsed === 'help') {
      console.log(help)
      return 0
    }
    options = parsed
  } catch (error) {
    console.error(`tributary broker: ${(error as Error).message}\n\n${help}`)
    return 2
  }
  const broker = await startBroker(options)
  console.log(`listening on ${broker.host}:${broker.port}`)
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  process.stderr.write(`tributary broker: ${signal} received, shutting down\n`)
  await broker.close()
  return 0
}

function parseOptions(argv: string[]): BrokerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '9092' },
      'advertised-host': { type: 'string' },
      'data-dir': { type: 'string', default: './data/broker' },
      'flush-policy': { type: 'string', default: 'every-batch' },
      'flush-interval-ms': { type: 'string', default: '1000' },
      'auto-create-topics': { type: 'string', default: 'true' },
      'num-partitions': { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return 'help'
  const flushPolicy = values['flush-policy']
  if (!(flushPolicies as readonly string[]).includes(flushPolicy)) throw new Error(`--flush-policy must be one of ${flushPolicies.join(', ')}`)
  const logLevel = values['log-level']
  if (!(logLevels as readonly string[]).includes(logLevel)) throw new Error(`--log-level must be one of ${logLevels.join(', ')}`)
  const autoCreate = values['auto-create-topics']
  if (autoCreate !== 'true' && autoCreate !== 'false') throw new Error('--auto-create-topics must be true or false')
  return {
    host: values.host,
    port: integer(values.port, '--port', 0, 65535),
    advertisedHost: values['advertised-host'],
    dataDir: values['data-dir'],
    flushPolicy: flushPolicy as FlushPolicy,
    flushIntervalMs: integer(values['flush-interval-ms'], '--flush-interval-ms', 1, 3_600_000),
    autoCreateTopics: autoCreate === 'true',
    numPartitions: integer(values['num-partitions'], '--num-partitions', 1, 10_000),
    logLevel: logLevel as LogLevel,
  }
}

function integer(text: string, name: string, minimum: number, maximum: number): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < minimum || value > maximum) throw new Error(`${name} must be an integer in [${minimum}, ${maximum}], got '${text}'`)
  return value
}

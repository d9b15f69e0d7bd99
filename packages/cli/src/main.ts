// The `tributary` command line. Each subcommand lives in `commands/<name>.ts` and exports
// `run(argv): Promise<number>`; it is imported lazily so `tributary --help` starts fast.
interface CommandEntry {
  summary: string
  load(): Promise<{ run(argv: string[]): Promise<number> }>
}

// THE table of subcommands. Later issues add theirs here.
const commands: Record<string, CommandEntry> = {
  broker: { summary: 'run the embedded Kafka-compatible broker', load: () => import('./commands/broker.ts') },
}

function usage(): string {
  const lines = ['Usage: tributary <command> [options]', '', 'Commands:']
  for (const [name, command] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${command.summary}`)
  lines.push('', 'Run `tributary <command> --help` for the options of a command.')
  return lines.join('\n')
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0]
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return 0
  }
  const command = commands[name]
  if (command === undefined) {
    console.error(`tributary: unknown command '${name}'\n\n${usage()}`)
    return 2
  }
  const module = await command.load()
  return module.run(argv.slice(1))
}

process.exitCode = await main(process.argv.slice(2))

// `sluice` command-line entry. Each subcommand is its own module, imported only when used, so that
// `sluice agent` never loads the server's database and `sluice server` never loads agent plugins.

import './quiet-warnings.ts'

export interface Command {
  readonly summary: string
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>
}

const commands: Record<string, () => Promise<Command>> = {
  up: () => import('./commands/up.ts'),
  agent: () => import('./commands/agent.ts'),
  check: () => import('./commands/check.ts'),
  server: () => import('./commands/server.ts'),
  gen: () => import('./commands/gen.ts'),
  plugins: () => import('./commands/plugins.ts'),
  docs: () => import('./commands/docs.ts'),
  dlq: () => import('./commands/dlq.ts'),
}

async function help(): Promise<string> {
  const lines = ['Usage: sluice <command> [options]', '', 'Commands:']
  for (const [name, load] of Object.entries(commands)) {
    const c = await load()
    lines.push(`  ${name.padEnd(9)} ${c.summary}`)
  }
  lines.push('', 'Run `sluice <command> --help` for the options of a command.')
  return lines.join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help())
    return 0
  }
  if (name === '--version' || name === '-V') {
    console.log('sluice 0.1.0')
    return 0
  }
  const load = commands[name]
  if (!load) {
    console.error(`sluice: unknown command '${name}'\n\n${await help()}`)
    return 2
  }
  const cmd = await load()
  return cmd.run(rest)
}

process.exitCode = await main(process.argv.slice(2))

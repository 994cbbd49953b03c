// `sluice agent`: runs the agent on a Fluent Bit config (classic, YAML or a ConfigMap manifest)
// until SIGTERM/SIGINT, then shuts down cleanly (drains within Grace). SIGHUP reloads the config
// when Hot_Reload is on. A config with errors prints every diagnostic and exits 1.

import { parseArgs } from 'node:util'
import { formatDiagnostic, hasErrors } from '@sluice/core/diagnostics.ts'

export const summary = 'Run the agent on a Fluent Bit config (classic, YAML, or a ConfigMap manifest)'

const LEVELS = ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace']

const usage = `Usage: sluice agent -c FILE [--entry NAME] [--log-level LEVEL]

Runs the agent: reads the inputs, filters and routes records, delivers them to the outputs, with
acknowledged delivery (tail commits a file offset only once every output has the records).

  -c, --config FILE    Fluent Bit classic file, YAML file, or Kubernetes ConfigMap manifest
  --entry NAME         for a ConfigMap: the data key of the entry file
                       (default fluent-bit.conf, then fluent-bit.yaml)
  --log-level LEVEL    ${LEVELS.join(', ')} (overrides the [SERVICE] Log_Level)
  -h, --help           this help

Signals: SIGTERM/SIGINT stop (deliver within Grace seconds), SIGHUP reloads when Hot_Reload is on.
Exit status: 0 after a clean stop, 1 when the config has errors or the agent cannot start, 2 on bad usage.
`

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice agent: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.values.help) {
    console.log(usage)
    return 0
  }
  const file = v.values.config ?? v.positionals[0]
  if (!file || v.positionals.length > (v.values.config ? 0 : 1)) {
    console.error(`sluice agent: give one config file with -c FILE\n\n${usage}`)
    return 2
  }
  const level = v.values['log-level']
  if (level !== undefined && !LEVELS.includes(level.toLowerCase())) {
    console.error(`sluice agent: invalid --log-level '${level}' (one of ${LEVELS.join(', ')})`)
    return 2
  }
  const { loadConfig } = await import('@sluice/core/config/load.ts')
  const { AgentConfigError, createAgent } = await import('@sluice/agent/agent.ts')
  const load = () => loadConfig(file, { entry: v.values.entry })
  const config = await load()
  if (hasErrors(config.diagnostics)) {
    for (const d of config.diagnostics) console.error(formatDiagnostic(d))
    console.error(`sluice agent: cannot start with ${config.entry}: fix the errors above`)
    return 1
  }
  const agent = createAgent(config, { logLevel: level?.toLowerCase(), reloadSource: load })
  try {
    await agent.start()
  } catch (err) {
    if (err instanceof AgentConfigError) {
      for (const d of err.diagnostics) console.error(formatDiagnostic(d))
      console.error(`sluice agent: cannot start with ${config.entry}: fix the errors above`)
    } else console.error(`sluice agent: ${(err as Error).message}`)
    return 1
  }

  // a pending promise does not keep Node alive; this handle does, until stop
  const keepAlive = setInterval(() => {}, 1 << 30)
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (sig: string) => {
      if (stopping) {
        console.error(`sluice agent: ${sig} again, exiting without waiting for Grace`)
        process.exit(1)
      }
      stopping = true
      agent.stop().then(
        () => {
          clearInterval(keepAlive)
          resolve(0)
        },
        (err) => {
          console.error(`sluice agent: cannot stop cleanly: ${(err as Error).message}`)
          clearInterval(keepAlive)
          resolve(1)
        },
      )
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGHUP', () => {
      if (!agent.hotReload) {
        console.error('sluice agent: SIGHUP ignored: Hot_Reload is off in [SERVICE]')
        return
      }
      void agent.reloadFromSource().then((r) => {
        if (!r.ok) for (const d of r.diagnostics) if (d.severity === 'error') console.error(formatDiagnostic(d))
      })
    })
  })
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      entry: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

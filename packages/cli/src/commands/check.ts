// `sluice check`: loads a config (classic, YAML or a ConfigMap manifest) and reports every problem
// at once, as `fluent-bit --dry-run` would and beyond (packages/agent/src/check).

import { parseArgs } from 'node:util'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'

export const summary = 'Check a config like fluent-bit --dry-run, and more; all errors at once'

const usage = `Usage: sluice check -c FILE [--entry NAME]

Checks a Fluent Bit configuration the way \`fluent-bit --dry-run\` does, and what it misses: unknown
plugins, options and parser names, bad values (booleans, sizes, durations, enums), Match patterns no
input can reach, inputs whose records reach no output, and known pitfalls (Parser docker on CRI nodes,
a Mem_Buf_Limit too small for Flush, dotted label keys sent to Elasticsearch, Retry_Limit 1).

FILE is a Fluent Bit classic file, a YAML file (.yaml/.yml), or a Kubernetes ConfigMap manifest
(also multi-document; the EKS Fargate aws-logging ConfigMap is understood).

  -c, --config FILE   the configuration to check (required; a bare FILE argument works too);
                      - reads it from stdin: kubectl get cm fluent-bit -o yaml | sluice check -c -
  --entry NAME        for a ConfigMap: the data key of the entry file
                      (default fluent-bit.conf, then fluent-bit.yaml)
  -q, --quiet         print errors only
  --json              print {entry, files, errors, warnings, diagnostics: [...]} as JSON instead
  -h, --help          this help

Exit status: 0 when there is no error (warnings allowed), 1 when there is one, 2 on bad usage.
`

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice check: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.values.help) {
    console.log(usage)
    return 0
  }
  const file = v.values.config ?? v.positionals[0]
  if (!file || v.positionals.length > (v.values.config ? 0 : 1)) {
    console.error(`sluice check: give one config file with -c FILE\n\n${usage}`)
    return 2
  }
  const { loadConfig } = await import('@sluice/core/config/load.ts')
  const { checkConfig } = await import('@sluice/agent/check/index.ts')
  const text = file === '-' ? await readStdin() : undefined
  const loaded = await loadConfig(file === '-' ? '<stdin>' : file, { entry: v.values.entry, text })
  const ds = checkConfig(loaded)
  const errors = ds.filter((d) => d.severity === 'error').length
  const warnings = ds.length - errors
  if (v.values.json) {
    const diagnostics = v.values.quiet ? ds.filter((d) => d.severity === 'error') : ds
    console.log(JSON.stringify({ entry: loaded.entry, files: loaded.files, errors, warnings, diagnostics }, null, 2))
    return errors === 0 ? 0 : 1
  }
  for (const d of ds) if (!v.values.quiet || d.severity === 'error') console.log(formatDiagnostic(d))
  const parts = `${loaded.inputs.length} input(s), ${loaded.filters.length} filter(s), ${loaded.outputs.length} output(s), ${loaded.parsers.length} parser(s)`
  console.log(
    `${errors === 0 ? 'ok' : 'FAILED'}: ${loaded.entry}: ${errors} error(s), ${warnings} warning(s); ${parts} in ${loaded.files.length} file(s)`,
  )
  return errors === 0 ? 0 : 1
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      entry: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

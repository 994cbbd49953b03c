// `sluice plugins`: lists the registry's plugins by kind, or shows one plugin's option table
// (the same tables that drive parsing, `sluice check` and docs/plugins.md).

import { parseArgs } from 'node:util'
import { optionTableMarkdown } from '@sluice/core/options.ts'

export const summary = "List plugins, or show one plugin's options"

const usage = `Usage: sluice plugins [NAME] [--kind input|filter|output] [--common]

Without NAME, lists every input, filter and output plugin with its description.
With NAME, shows that plugin's options (name, type, default, description) and where the options
common to every plugin of its kind are documented.

  --kind KIND   only this kind (input, filter or output)
  --common      with NAME: also list the options every plugin of its kind accepts (Match, Tag, Retry_Limit…)
  -h, --help    this help
`

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice plugins: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.values.help) {
    console.log(usage)
    return 0
  }
  const kind = v.values.kind
  if (kind !== undefined && !['input', 'filter', 'output'].includes(kind)) {
    console.error(`sluice plugins: --kind must be input, filter or output, not '${kind}'`)
    return 2
  }
  const registry = await import('@sluice/agent/registry.ts')
  const groups = [
    ['input', registry.inputs],
    ['filter', registry.filters],
    ['output', registry.outputs],
  ] as const
  const name = v.positionals[0]?.toLowerCase()
  if (name === undefined) {
    for (const [k, list] of groups) {
      if (kind && k !== kind) continue
      console.log(`${k.toUpperCase()}S (${list.length})`)
      const width = Math.max(0, ...list.map((p) => p.name.length))
      for (const p of [...list].sort((a, b) => a.name.localeCompare(b.name)))
        console.log(`  ${p.name.padEnd(width)}  ${p.description}`)
      console.log('')
    }
    console.log('Run `sluice plugins NAME` for the options of one plugin.')
    return 0
  }
  const hits = groups.flatMap(([k, list]) => (kind && k !== kind ? [] : list.filter((p) => p.name === name)))
  if (hits.length === 0) {
    const { closest } = await import('@sluice/core/options.ts')
    const near = closest(
      name,
      groups.flatMap(([, list]) => list.map((p) => p.name)),
    )
    console.error(`sluice plugins: no plugin named '${name}'${near ? ` (did you mean '${near}'?)` : ''}`)
    return 1
  }
  const common = await import('@sluice/agent/common-options.ts')
  const commonTables = {
    input: common.inputCommonOptions,
    filter: common.filterCommonOptions,
    output: common.outputCommonOptions,
  }
  for (const p of hits) {
    console.log(`${p.name} (${p.kind})\n\n${p.description}\n`)
    console.log(Object.keys(p.options).length > 0 ? optionTableMarkdown(p.options) : '(no options of its own)')
    if ('defaultWorkers' in p && p.defaultWorkers !== undefined)
      console.log(`\nWorkers defaults to ${p.defaultWorkers} for this output (as in Fluent Bit).`)
    if (v.values.common)
      console.log(`\nOptions every ${p.kind} accepts:\n\n${optionTableMarkdown(commonTables[p.kind])}\n`)
    else console.log(`\nPlus the options every ${p.kind} accepts (Match, Alias, …): add --common to list them.\n`)
  }
  return 0
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { kind: { type: 'string' }, common: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  })
}

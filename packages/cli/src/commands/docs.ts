// `sluice docs`: regenerates docs/plugins.md from the option tables (one table drives parsing,
// `sluice check`, `sluice plugins NAME` and this reference, so they cannot disagree).

import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const summary = 'Regenerate the docs generated from option tables'

const usage = `Usage: sluice docs [--out FILE] [--check]

Writes docs/plugins.md from the plugin registry (every plugin with its description and options, the
options common to every input, filter and output, and the [SERVICE] options) and docs/compatibility.md
(every plugin and option with its status against Fluent Bit 5.1).

  --out FILE   write there instead of docs/plugins.md of this repository
  --check      write nothing; exit 1 if the file is not up to date (for CI)
  -h, --help   this help
`

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs')
const DEFAULT_OUT = join(DOCS, 'plugins.md')
const COMPAT_OUT = join(DOCS, 'compatibility.md')

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice docs: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.values.help) {
    console.log(usage)
    return 0
  }
  const { renderPluginsDoc } = await import('./plugins-doc.ts')
  const { renderCompatibilityDoc } = await import('../compat-doc.ts')
  const docs: [string, string][] = [[v.values.out ?? DEFAULT_OUT, await renderPluginsDoc()]]
  // With --out only the plugins reference is written (elsewhere); otherwise the compatibility table too.
  if (v.values.out === undefined) docs.push([COMPAT_OUT, await renderCompatibilityDoc()])
  if (v.values.check) {
    let stale = 0
    for (const [out, text] of docs) {
      const current = await readFile(out, 'utf8').catch(() => '')
      if (current === text) console.log(`${out} is up to date`)
      else {
        console.error(`${out} is out of date: run \`sluice docs\``)
        stale++
      }
    }
    return stale > 0 ? 1 : 0
  }
  for (const [out, text] of docs) {
    await writeFile(out, text)
    console.log(`wrote ${out}`)
  }
  return 0
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: false,
    options: { out: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  })
}

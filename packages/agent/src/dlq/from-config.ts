// Finds the `es`/`opensearch` outputs of an agent config, with their resolved options and dead-letter
// directories, so `sluice dlq … --config fluent-bit.conf` needs no other argument: the directory, the
// endpoint, TLS and credentials are the agent's own.

import { isAbsolute, resolve } from 'node:path'
import { loadConfig } from '@sluice/core/config/load.ts'
import { entryValue } from '@sluice/core/config/model.ts'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'
import { resolveOptions } from '@sluice/core/options.ts'
import { outputCommonOptions } from '../common-options.ts'
import { deadLetterDir, type EsOptionValues } from '../outputs/es/connection.ts'
import { esOptions } from '../outputs/es/options.ts'

export interface EsOutputRef {
  /** Instance id as the agent names it: the Alias, or `es.0`, `opensearch.1`, … */
  readonly id: string
  readonly values: EsOptionValues
  readonly dlqDir?: string
  resolvePath(p: string): string
}

export async function esOutputsOf(configPath: string): Promise<EsOutputRef[]> {
  const config = await loadConfig(configPath)
  const fatal = config.diagnostics.filter((d) => d.severity === 'error')
  if (fatal.length) throw new Error(`cannot load ${configPath}:\n${fatal.map(formatDiagnostic).join('\n')}`)
  const resolvePath = (p: string) => (isAbsolute(p) ? p : resolve(config.baseDir, p))
  const storage = config.service.map((s) => entryValue(s, 'storage.path')).find((v) => v !== undefined)
  const storagePath = storage ? resolvePath(storage) : undefined
  const counters = new Map<string, number>()
  const out: EsOutputRef[] = []
  for (const section of config.outputs) {
    const name = entryValue(section, 'name')?.trim().toLowerCase() ?? ''
    const n = counters.get(name) ?? 0
    counters.set(name, n + 1)
    if (name !== 'es' && name !== 'opensearch') continue
    const id = entryValue(section, 'alias')?.trim() || `${name}.${n}`
    const r = resolveOptions(esOptions, section.entries, {
      instance: `output.${id}`,
      passThrough: (k) => k in outputCommonOptions,
    })
    const errors = r.diagnostics.filter((d) => d.severity === 'error')
    if (errors.length) throw new Error(`cannot read output ${id}:\n${errors.map(formatDiagnostic).join('\n')}`)
    out.push({ id, values: r.values, dlqDir: deadLetterDir(r.values, storagePath, id, resolvePath), resolvePath })
  }
  return out
}

/** The output `--output` names (or the only one). Throws with the choices when it is ambiguous. */
export function pickOutput(refs: readonly EsOutputRef[], wanted: string | undefined, configPath: string): EsOutputRef {
  if (refs.length === 0) throw new Error(`${configPath} has no es or opensearch output`)
  if (wanted === undefined) {
    if (refs.length === 1) return refs[0]!
    throw new Error(
      `${configPath} has several es/opensearch outputs; choose one with --output (${refs.map((r) => r.id).join(', ')})`,
    )
  }
  const hit = refs.find((r) => r.id === wanted)
  if (!hit)
    throw new Error(
      `no es/opensearch output '${wanted}' in ${configPath} (there are: ${refs.map((r) => r.id).join(', ')})`,
    )
  return hit
}

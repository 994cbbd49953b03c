// A plugin's own cross-option checks (`validate`) as config diagnostics, each at the line of the
// option it names: shared by the engine's plan (start-up) and `sluice check`.

import type { Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import type { AnyPlugin } from '../plugin.ts'

export function validateDiagnostics(
  plugin: AnyPlugin,
  values: Record<string, unknown>,
  section: Section,
  instance: string,
): Diagnostic[] {
  if (!plugin.validate) return []
  return plugin.validate(values as never).map((p) => {
    const entry = [...section.entries].reverse().find((e) => e.key.toLowerCase() === p.option.toLowerCase())
    return {
      severity: 'error' as const,
      message: p.message,
      file: entry?.loc?.file ?? section.loc.file,
      line: entry?.loc?.line ?? section.loc.line,
      instance,
      option: p.option,
    }
  })
}

/** Diagnostics without a place (a missing required option has no line of its own) get the section's. */
export function atSection(ds: readonly Diagnostic[], section: Section): Diagnostic[] {
  return ds.map((d) => (d.file === undefined ? { ...d, file: section.loc.file, line: section.loc.line } : d))
}

// `${VAR}` and `${VAR:-default}` in config values, as Fluent Bit's flb_env does: the process
// environment first, then variables set in the config (`@SET` in classic, `env:` in YAML). A variable
// that is neither, without a default, becomes the empty string with a warning (Fluent Bit warns too).

import type { Diagnostic, SourceLocation } from '../diagnostics.ts'

export interface VariableScope {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Variables set by the config itself (`@SET`, YAML `env:`). */
  readonly set: Map<string, string>
}

const REF = /\$\{([^}]*)\}/g

/** Expands every `${…}` in `text`; problems are appended to `diagnostics` at `loc`. */
export function expandVariables(
  text: string,
  scope: VariableScope,
  diagnostics: Diagnostic[],
  loc?: SourceLocation,
): string {
  if (!text.includes('${')) return text // fast path
  return text.replace(REF, (whole, inner: string) => {
    const sep = inner.indexOf(':-')
    const name = (sep >= 0 ? inner.slice(0, sep) : inner).trim()
    const fallback = sep >= 0 ? inner.slice(sep + 2) : undefined
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
      diagnostics.push({
        severity: 'error',
        message: `invalid variable reference '${whole}': a name is letters, digits and '_'`,
        ...loc,
      })
      return whole
    }
    const fromEnv = scope.env[name]
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv
    const fromSet = scope.set.get(name)
    if (fromSet !== undefined) return fromSet
    if (fallback !== undefined) return fallback
    if (fromEnv === '') return ''
    diagnostics.push({
      severity: 'warning',
      message: `variable '${name}' is not set (neither in the environment nor by @SET/env); '${whole}' becomes empty`,
      ...loc,
    })
    return ''
  })
}

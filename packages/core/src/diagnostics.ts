// A config or input problem, reported with everything a user needs to fix it: what, where, why.

export interface SourceLocation {
  /** Path of the file as the user named it (or `configmap:NAME/KEY` for a ConfigMap data key). */
  readonly file: string
  /** 1-based line number. */
  readonly line: number
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning'
  readonly message: string
  readonly file?: string
  readonly line?: number
  /** Plugin instance, e.g. `filter.grep.0`. */
  readonly instance?: string
  readonly option?: string
}

/** `file:line: [instance] message` — the one format every diagnostic is printed in. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : ''
  const who = d.instance ? `${d.instance}: ` : ''
  return `${where}${d.severity}: ${who}${d.message}`
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error')
}

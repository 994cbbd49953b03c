// A search hit as API.md defines it, and helpers that read Kubernetes fields from it.

export interface Hit {
  _id: string
  _index: string
  '@timestamp': string
  [field: string]: unknown
}

/** Flattens nested objects to dotted keys (`kubernetes.pod_name`); arrays stay values. */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 0 && prefix) out[prefix] = value
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (prefix) {
    out[prefix] = value
  }
  return out
}

/** Fields that hold the log line, in the order the agents commonly produce them. */
export const MESSAGE_FIELDS = ['message', 'log', 'msg', 'MESSAGE']
export const LEVEL_FIELDS = ['level', 'severity', 'log.level', 'lvl', 'loglevel']

export function pickField(flat: Record<string, unknown>, names: string[]): unknown {
  for (const n of names) if (flat[n] !== undefined && flat[n] !== null) return flat[n]
  return undefined
}

/** Display text of a field value: strings as-is, everything else as compact JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return ''
  if (v === null) return 'null'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** Normalised level (`error`, `warn`, `info`, `debug`, …) used for colours and the histogram. */
export function normalizeLevel(v: unknown): string {
  if (typeof v !== 'string' && typeof v !== 'number') return ''
  const s = String(v).toLowerCase()
  if (s.startsWith('err') || s === 'e') return 'error'
  if (s.startsWith('warn') || s === 'w') return 'warn'
  if (s.startsWith('inf') || s === 'i') return 'info'
  if (s.startsWith('deb') || s === 'd') return 'debug'
  if (s.startsWith('trac')) return 'trace'
  if (s.startsWith('fatal') || s.startsWith('crit') || s.startsWith('emerg') || s.startsWith('alert')) return 'fatal'
  return s
}

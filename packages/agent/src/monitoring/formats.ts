// Fluent Bit's monitoring payloads built from the metrics registry: the v1 JSON metrics per
// instance, the human uptime line, and the cmetrics text format of /api/v2/metrics.

import type { MetricsRegistry } from '../metrics.ts'

/** Fluent Bit's wording: "Fluent Bit has been running:  0 day, 0 hour, 1 minute and 5 seconds". */
export function uptimeHuman(sec: number): string {
  const d = Math.floor(sec / 86400)
  const h = Math.floor((sec % 86400) / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const s = sec % 60
  // Fluent Bit pluralises only above one: "0 day", "1 hour", "2 minutes"
  const pl = (n: number) => (n > 1 ? 's' : '')
  return `Fluent Bit has been running:  ${d} day${pl(d)}, ${h} hour${pl(h)}, ${m} minute${pl(m)} and ${s} second${pl(s)}`
}

const INPUT = { fluentbit_input_records_total: 'records', fluentbit_input_bytes_total: 'bytes' } as const
const FILTER = {
  fluentbit_filter_drop_records_total: 'drop_records',
  fluentbit_filter_add_records_total: 'add_records',
} as const
const OUTPUT = {
  fluentbit_output_proc_records_total: 'proc_records',
  fluentbit_output_proc_bytes_total: 'proc_bytes',
  fluentbit_output_errors_total: 'errors',
  fluentbit_output_retries_total: 'retries',
  fluentbit_output_retries_failed_total: 'retries_failed',
  fluentbit_output_dropped_records_total: 'dropped_records',
  fluentbit_output_retried_records_total: 'retried_records',
} as const

type Section = Record<string, Record<string, number>>

function section(m: MetricsRegistry, ids: string[], names: Record<string, string>): Section {
  const out: Section = {}
  for (const id of ids) {
    const row: Record<string, number> = {}
    for (const field of Object.values(names)) row[field] = 0
    out[id] = row
  }
  for (const metric of m.all()) {
    const field = names[metric.name]
    if (field === undefined) continue
    for (const s of metric.series()) {
      const id = s.labels.name
      if (id !== undefined && out[id]) out[id][field] = s.value
    }
  }
  return out
}

/** The /api/v1/metrics document: running instances only, every field present (0 when unused). */
export function v1Metrics(
  m: MetricsRegistry,
  ids: { inputs: string[]; filters: string[]; outputs: string[] },
): { input: Section; filter: Section; output: Section } {
  return {
    input: section(m, ids.inputs, INPUT),
    filter: section(m, ids.filters, FILTER),
    output: section(m, ids.outputs, OUTPUT),
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** cmetrics' text encoder format, as /api/v2/metrics prints it: `<iso time> name{k="v"} = value`. */
export function cmetricsText(m: MetricsRegistry, at: Date): string {
  const ts = at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')
  const lines: string[] = []
  for (const metric of m.all()) {
    for (const s of metric.series()) {
      const ls = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',')
      lines.push(`${ts} ${metric.name}${ls ? `{${ls}}` : ''} = ${s.value}`)
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '')
}

// Counters and gauges with labels, rendered as Prometheus text and as Fluent Bit's JSON metrics.
// Metric names follow Fluent Bit (fluentbit_input_records_total, fluentbit_output_proc_records_total,
// …) so existing dashboards and alerts keep working.

export type Labels = Readonly<Record<string, string>>

export interface Metric {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
  /** Adds `n` (default 1) to the series with these labels. */
  inc(labels?: Labels, n?: number): void
  set(labels: Labels | undefined, value: number): void
  get(labels?: Labels): number
  /** All series: label set and value. */
  series(): { labels: Labels; value: number }[]
  /**
   * The series with these labels, bound once: `inc`/`set` on it skip the label-key computation, so
   * hot paths (per batch) bind at setup and pay one addition per call.
   */
  labels(labels: Labels): Series
}

/** One labelled series of a metric, bound once (see Metric.labels). */
export interface Series {
  inc(n?: number): void
  set(value: number): void
  get(): number
}

export interface MetricsRegistry {
  counter(name: string, help: string): Metric
  gauge(name: string, help: string): Metric
  all(): Metric[]
  /** Prometheus text exposition format 0.0.4. */
  prometheus(): string
}

function key(labels: Labels | undefined): string {
  if (!labels) return ''
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',')
}

function makeMetric(name: string, help: string, type: 'counter' | 'gauge'): Metric {
  const values = new Map<string, { labels: Labels; value: number }>()
  const slot = (labels: Labels | undefined) => {
    const k = key(labels)
    let s = values.get(k)
    if (!s) values.set(k, (s = { labels: labels ?? {}, value: 0 }))
    return s
  }
  return {
    name,
    help,
    type,
    inc(labels, n = 1) {
      slot(labels).value += n
    },
    set(labels, value) {
      slot(labels).value = value
    },
    get(labels) {
      return values.get(key(labels))?.value ?? 0
    },
    series() {
      return [...values.values()]
    },
    labels(labels) {
      const s = slot(labels)
      return {
        inc(n = 1) {
          s.value += n
        },
        set(value) {
          s.value = value
        },
        get: () => s.value,
      }
    },
  }
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

export function createMetrics(): MetricsRegistry {
  const metrics = new Map<string, Metric>()
  const get = (name: string, help: string, type: 'counter' | 'gauge') => {
    let m = metrics.get(name)
    if (!m) metrics.set(name, (m = makeMetric(name, help, type)))
    return m
  }
  return {
    counter: (n, h) => get(n, h, 'counter'),
    gauge: (n, h) => get(n, h, 'gauge'),
    all: () => [...metrics.values()],
    prometheus() {
      const out: string[] = []
      for (const m of metrics.values()) {
        out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`)
        for (const s of m.series()) {
          const ls = Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',')
          out.push(`${m.name}${ls ? `{${ls}}` : ''} ${s.value}`)
        }
      }
      return out.join('\n') + '\n'
    },
  }
}

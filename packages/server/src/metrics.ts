// Prometheus text exposition (format 0.0.4) for the server: counters with labels and gauges read at
// scrape time. Kept tiny on purpose: the server has a handful of series.

type Labels = Record<string, string>

function labelText(l: Labels): string {
  const parts = Object.entries(l).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  )
  return parts.length > 0 ? `{${parts.join(',')}}` : ''
}

interface Family {
  help: string
  type: 'counter' | 'gauge'
  values: Map<string, { labels: Labels; value: number }>
  read?: () => Array<{ labels?: Labels; value: number }>
}

export class Metrics {
  private readonly families = new Map<string, Family>()

  private family(name: string, help: string, type: 'counter' | 'gauge'): Family {
    let f = this.families.get(name)
    if (!f) this.families.set(name, (f = { help, type, values: new Map() }))
    return f
  }

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const f = this.family(name, help, 'counter')
    return (labels = {}, by = 1) => {
      const key = labelText(labels)
      const v = f.values.get(key)
      if (v) v.value += by
      else f.values.set(key, { labels, value: by })
    }
  }

  /** A gauge (or counter) whose samples are computed at scrape time. */
  collect(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    read: () => Array<{ labels?: Labels; value: number }>,
  ): void {
    this.family(name, help, type).read = read
  }

  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelText(labels))?.value ?? 0
  }

  render(): string {
    let out = ''
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`
      for (const v of f.values.values()) out += `${name}${labelText(v.labels)} ${v.value}\n`
      if (f.read) for (const s of f.read()) out += `${name}${labelText(s.labels ?? {})} ${s.value}\n`
    }
    return out
  }
}

/** Requests refused for credentials (401) or scope (403), by port: one counter for every listener. */
export function authFailureCounter(m: Metrics): (labels: { port: string; status: '401' | '403' }) => void {
  return m.counter(
    'sluice_auth_failures_total',
    'Requests refused: 401 (missing or wrong credentials) or 403 (token without the scope), by port',
  )
}

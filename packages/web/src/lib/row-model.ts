// Log table rows are lazy view models (STYLE.md §10, after Grafana's logs panel processing.ts): built
// once per hit, each derived string computed on first use and cached, so scrolling 100k rows only pays
// for the rows actually drawn, and re-renders never re-flatten or re-stringify a record.
import { highlight, type Segment } from './highlight.ts'
import { flatten, type Hit, LEVEL_FIELDS, MESSAGE_FIELDS, normalizeLevel, pickField, valueText } from './hit.ts'

export class LogRowModel {
  readonly hit: Hit
  readonly id: string
  readonly timeMs: number
  #flat: Record<string, unknown> | undefined
  #message: string | undefined
  #level: string | undefined
  #json: string | undefined
  #time: string | undefined
  #timeUtc = false
  #cells = new Map<string, string>()
  #marks = new Map<string, Segment[]>()
  #marksKey = ''

  constructor(hit: Hit) {
    this.hit = hit
    this.id = hit._id
    this.timeMs = Date.parse(hit['@timestamp'])
  }

  get flat(): Record<string, unknown> {
    if (this.#flat === undefined) this.#flat = flatten(this.hit)
    return this.#flat
  }

  /** The log line, or the whole record as compact JSON when it has no message field. */
  get message(): string {
    if (this.#message === undefined) {
      const m = pickField(this.flat, MESSAGE_FIELDS)
      if (m !== undefined) this.#message = valueText(m)
      else {
        const { _id, _index, '@timestamp': _ts, ...rest } = this.hit
        this.#message = JSON.stringify(rest)
      }
    }
    return this.#message
  }

  get level(): string {
    if (this.#level === undefined) this.#level = normalizeLevel(pickField(this.flat, LEVEL_FIELDS))
    return this.#level
  }

  /** Pretty JSON of the record as stored, for the expanded row and its copy button. */
  get json(): string {
    if (this.#json === undefined) this.#json = JSON.stringify(this.hit, null, 2)
    return this.#json
  }

  /** Local time with milliseconds, `2026-11-22 07:41:03.120`. */
  get time(): string {
    if (this.#time === undefined || this.#timeUtc !== displayUtc) {
      this.#time = formatTimestamp(this.timeMs, displayUtc)
      this.#timeUtc = displayUtc
    }
    return this.#time
  }

  cell(field: string): string {
    if (field === '@timestamp') return this.time
    let text = this.#cells.get(field)
    if (text === undefined) {
      text = field === '_message' ? this.message : valueText(this.flat[field])
      this.#cells.set(field, text)
    }
    return text
  }

  /** Highlighted segments of a cell for the current search terms; recomputed only when terms change. */
  marks(field: string, terms: string[]): Segment[] {
    const key = `${displayUtc}\u0000${terms.join('\u0000')}`
    if (key !== this.#marksKey) {
      this.#marks.clear()
      this.#marksKey = key
    }
    let segs = this.#marks.get(field)
    if (segs === undefined) {
      segs = highlight(this.cell(field), terms)
      this.#marks.set(field, segs)
    }
    return segs
  }

  /** Sorted [field, text] pairs for the expanded field table. */
  fieldRows(): [string, string][] {
    return Object.keys(this.flat)
      .sort()
      .map((k) => [k, this.cell(k)])
  }
}

// Times show in the browser's zone unless the user chose UTC (like Kibana's dateFormat:tz). One
// setting for the whole page, read when a row's time is (re)formatted.
let displayUtc = false

export function setDisplayUtc(utc: boolean): void {
  displayUtc = utc
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

/** `2026-11-22 07:41:03.120` in the browser's zone, or in UTC. */
export function formatTimestamp(ms: number, utc = displayUtc): string {
  if (!Number.isFinite(ms)) return ''
  const d = new Date(ms)
  if (utc) return d.toISOString().slice(0, 23).replace('T', ' ')
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  )
}

/**
 * Keeps one model per hit id across pages, refreshes and live-tail batches: a hit seen before reuses its
 * model and cached text.
 */
export class RowModelCache {
  #byId = new Map<string, LogRowModel>()

  rows(hits: Hit[]): LogRowModel[] {
    return hits.map((h) => {
      let m = this.#byId.get(h._id)
      if (!m) {
        m = new LogRowModel(h)
        this.#byId.set(h._id, m)
      }
      return m
    })
  }

  /** Forgets every model not in `keep` (the rows on screen), so long sessions do not grow memory. */
  prune(keep: LogRowModel[]): void {
    this.#byId = new Map(keep.map((m) => [m.id, m]))
  }

  get size(): number {
    return this.#byId.size
  }

  clear(): void {
    this.#byId.clear()
  }
}

// Typed client for the query API (API.md). Errors carry the server's `{error: {type, reason, position}}`
// so the query bar can point at a KQL syntax error; network failures become type `network`.
import type { Hit } from './hit.ts'

export interface SearchRequest {
  query?: string
  from: string
  to: string
  size?: number
  sort?: 'desc' | 'asc'
  after?: string | null
  fields?: string[]
}
export interface SearchResponse {
  total: number
  /** 'gte' when the server stopped counting (Elasticsearch's track_total_hits cap). */
  total_relation?: 'eq' | 'gte'
  hits: Hit[]
  after: string | null
  took: number
}
export interface HistogramBucket {
  t: number
  count: number
  split?: Record<string, number>
}
export interface HistogramResponse {
  interval: string
  intervalMs: number
  buckets: HistogramBucket[]
}
export interface FieldInfo {
  name: string
  type: 'string' | 'number' | 'boolean' | 'date' | 'object'
  count: number
}
export interface FieldValues {
  field: string
  total: number
  values: { value: unknown; count: number }[]
}
export interface ContextResponse {
  hit: Hit
  before: Hit[]
  after: Hit[]
}
export interface SavedSearch {
  id: string
  name: string
  query: string
  from: string
  to: string
  columns: string[]
  created: string
}
export interface Stats {
  records_total: number
  bytes_on_disk: number
  ingest: {
    records_total: number
    errors_total: number
    by_source: Record<string, number>
    dead_lettered_total?: number
  }
  indices: { index: string; docs: number; bytes: number }[]
  agents: { name: string; records_total: number; last_seen: string }[]
  dead_letter?: { records_total?: number }
}

export class ApiError extends Error {
  readonly type: string
  readonly status: number
  readonly position: number | undefined
  constructor(type: string, reason: string, status: number, position?: number) {
    super(reason)
    this.type = type
    this.status = status
    this.position = position
  }
}

const TOKEN_KEY = 'sluice.token'

/** Bearer token for servers configured with tokens, kept in this browser only. */
export function authHeaders(): Record<string, string> {
  const token = globalThis.localStorage?.getItem(TOKEN_KEY)
  return token ? { authorization: `Bearer ${token}` } : {}
}
export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...authHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError('network', (err as Error).message, 0)
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let json: any
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    throw new ApiError(res.ok ? 'internal' : statusType(res.status), text.slice(0, 200), res.status)
  }
  if (!res.ok) {
    const e = json?.error
    throw new ApiError(
      e?.type ?? statusType(res.status),
      e?.reason ?? `HTTP ${res.status}`,
      res.status,
      typeof e?.position === 'number' ? e.position : undefined,
    )
  }
  return json as T
}

function statusType(status: number): string {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status >= 500) return 'internal'
  return 'bad_request'
}

export const api = {
  search: (r: SearchRequest, signal?: AbortSignal) => call<SearchResponse>('POST', '/api/search', r, signal),
  histogram: (
    r: { query?: string; from: string; to: string; interval?: string; split?: string; splitSize?: number },
    signal?: AbortSignal,
  ) => call<HistogramResponse>('POST', '/api/histogram', r, signal),
  fields: (r: { query?: string; from: string; to: string }, signal?: AbortSignal) =>
    call<{ fields: FieldInfo[] }>('POST', '/api/fields', r, signal),
  fieldValues: (
    r: { field: string; query?: string; from: string; to: string; size?: number; prefix?: string },
    signal?: AbortSignal,
  ) => call<FieldValues>('POST', '/api/field-values', r, signal),
  context: (r: { id: string; before?: number; after?: number }, signal?: AbortSignal) =>
    call<ContextResponse>('POST', '/api/context', r, signal),
  savedSearches: () => call<{ items: SavedSearch[] }>('GET', '/api/saved-searches'),
  saveSearch: (s: Omit<SavedSearch, 'id' | 'created'>) => call<SavedSearch>('POST', '/api/saved-searches', s),
  deleteSearch: (id: string) => call<void>('DELETE', `/api/saved-searches/${encodeURIComponent(id)}`),
  stats: (signal?: AbortSignal) => call<Stats>('GET', '/api/stats', undefined, signal),
}

// Everything a search shows lives in the URL, so a link reproduces it and a reload keeps it (the
// issue's "ALL state in the URL"). Defaults are left out to keep links short; unknown or malformed
// parameters fall back to defaults instead of breaking the page.
import { DEFAULT_RANGE, REFRESH_INTERVALS } from './time-range.ts'

export type View = 'explore' | 'overview' | 'nodes' | 'pipeline'
export const VIEWS: View[] = ['explore', 'overview', 'nodes', 'pipeline']

export interface UrlState {
  view: View
  query: string
  from: string
  to: string
  /** Columns of the log table besides time; empty means the message column. */
  columns: string[]
  refresh: string
  /** Field that splits (stacks) the histogram. */
  split: string
  sort: 'desc' | 'asc'
  live: boolean
}

export const DEFAULT_STATE: UrlState = {
  view: 'explore',
  query: '',
  from: DEFAULT_RANGE.from,
  to: DEFAULT_RANGE.to,
  columns: [],
  refresh: 'off',
  split: 'level',
  sort: 'desc',
  live: false,
}

const PATHS: Record<View, string> = {
  explore: '/explore',
  overview: '/dashboards/kubernetes',
  nodes: '/dashboards/nodes',
  pipeline: '/dashboards/pipeline',
}

/** Path and query string (`/explore?q=…`) for a state. */
export function encodeState(state: UrlState): string {
  const p = new URLSearchParams()
  if (state.query) p.set('q', state.query)
  if (state.from !== DEFAULT_STATE.from) p.set('from', state.from)
  if (state.to !== DEFAULT_STATE.to) p.set('to', state.to)
  // Column names may contain commas only in pathological cases; they are separated by commas and each
  // is percent-encoded by URLSearchParams as a whole.
  if (state.columns.length > 0) p.set('cols', state.columns.join(','))
  if (state.refresh !== DEFAULT_STATE.refresh) p.set('refresh', state.refresh)
  if (state.split !== DEFAULT_STATE.split) p.set('split', state.split)
  if (state.sort !== DEFAULT_STATE.sort) p.set('sort', state.sort)
  if (state.live) p.set('live', '1')
  const qs = p.toString()
  return PATHS[state.view] + (qs ? `?${qs}` : '')
}

/** State from a location's pathname and search string. */
export function decodeState(pathname: string, search: string): UrlState {
  const p = new URLSearchParams(search)
  const view = (Object.keys(PATHS) as View[]).find((v) => PATHS[v] === pathname.replace(/\/+$/, '')) ?? 'explore'
  const refresh = p.get('refresh') ?? DEFAULT_STATE.refresh
  const sort = p.get('sort')
  const cols = (p.get('cols') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
  return {
    view,
    query: p.get('q') ?? '',
    from: p.get('from') || DEFAULT_STATE.from,
    to: p.get('to') || DEFAULT_STATE.to,
    columns: [...new Set(cols)],
    refresh: (REFRESH_INTERVALS as readonly string[]).includes(refresh) ? refresh : DEFAULT_STATE.refresh,
    // `split=` (empty) is a choice: no stacking.
    split: p.get('split') ?? DEFAULT_STATE.split,
    sort: sort === 'asc' ? 'asc' : 'desc',
    live: p.get('live') === '1',
  }
}

/** URL of Explore showing `query` over a range, used by dashboard panels to click through. */
export function exploreUrl(query: string, from: string, to: string): string {
  return encodeState({ ...DEFAULT_STATE, query, from, to })
}

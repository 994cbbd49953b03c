import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_STATE, decodeState, encodeState, exploreUrl, type UrlState } from './url-state.ts'

function roundTrip(s: UrlState): UrlState {
  const url = new URL(encodeState(s), 'http://h')
  return decodeState(url.pathname, url.search)
}

test('encodeState: defaults give a bare path', () => {
  assert.equal(encodeState(DEFAULT_STATE), '/explore')
  assert.equal(encodeState({ ...DEFAULT_STATE, view: 'nodes' }), '/dashboards/nodes')
})

test('encode/decode round-trips every field, including awkward characters', () => {
  const s: UrlState = {
    view: 'explore',
    query: 'kubernetes.namespace_name: "shop & co" and not level: debug or 한국어 #1 %',
    from: '2026-11-22T08:00:00.000Z',
    to: 'now-5m',
    columns: ['kubernetes.pod_name', '_message', 'level'],
    refresh: '30s',
    split: 'kubernetes.namespace_name',
    sort: 'asc',
    live: true,
  }
  assert.deepEqual(roundTrip(s), s)
  for (const view of ['overview', 'nodes', 'pipeline'] as const) assert.equal(roundTrip({ ...s, view }).view, view)
})

test('decodeState: unknown or malformed parameters fall back to defaults', () => {
  const s = decodeState('/nowhere/', '?refresh=2s&sort=sideways&live=yes&cols=,,a,,a,b&from=')
  assert.equal(s.view, 'explore')
  assert.equal(s.refresh, 'off')
  assert.equal(s.sort, 'desc')
  assert.equal(s.live, false)
  assert.deepEqual(s.columns, ['a', 'b'])
  assert.equal(s.from, DEFAULT_STATE.from)
  assert.equal(s.split, DEFAULT_STATE.split)
})

test('an unstacked histogram (empty split) survives the URL', () => {
  assert.equal(roundTrip({ ...DEFAULT_STATE, split: '' }).split, '')
  assert.equal(decodeState('/explore', '').split, 'level')
})

test('decodeState: trailing slash on a dashboard path', () => {
  assert.equal(decodeState('/dashboards/pipeline/', '').view, 'pipeline')
})

test('exploreUrl: a dashboard click-through keeps the range', () => {
  const url = new URL(exploreUrl('level: error', 'now-1h', 'now'), 'http://h')
  assert.equal(url.pathname, '/explore')
  assert.equal(url.searchParams.get('q'), 'level: error')
  assert.equal(url.searchParams.get('from'), 'now-1h')
  assert.equal(url.searchParams.get('to'), null)
})

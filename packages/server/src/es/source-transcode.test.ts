// The transcoding fast path (source-transcode.ts) against the JSON path it stands in for: for every
// source line, the WAL row bytes (what is stored), the timestamp and the outcome (stored, or failed
// with which error) must be the same whichever path the line takes.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { analyze, timestampMicros, WalWriter } from '../store/row.ts'
import { type BulkOp, parseBulk, SuffixCache } from './bulk-parse.ts'

const NOW_US = 1_764_000_000_000_000

/** What the store makes of an op, as executeBulk + Store.prepare + Store.commit do: the WAL row, or the error. */
function outcome(op: BulkOp, seq: number): { row?: string; tsUs?: number; error?: string } {
  const w = new WalWriter(1)
  if (op.src !== undefined) {
    const s = op.src
    const tsUs = s.tsUs ?? NOW_US
    w.encodedRow(tsUs, seq, op.index!, op.id ?? null, s.mask, s.kubernetes, s.bytes, s.start, s.end)
    return { row: w.bytes().toString('latin1'), tsUs }
  }
  if (op.docError !== undefined || op.doc === undefined) return { error: op.docError ?? 'no document' }
  const { mask, timestamp } = analyze(op.doc)
  const tsUs = timestamp === undefined ? NOW_US : timestampMicros(timestamp)
  if (tsUs === undefined || tsUs < 0 || tsUs >= 253402300800000000) return { error: 'timestamp' }
  w.row(tsUs, seq, op.index!, op.id ?? null, mask, op.doc)
  return { row: w.bytes().toString('latin1'), tsUs }
}

function body(lines: readonly string[]): Buffer {
  return Buffer.from(`${lines.flatMap((l) => ['{"create":{"_index":"logs-2026.12.03"}}', l]).join('\n')}\n`)
}

/** Parses `lines` both ways (twice each: the second round finds every tail cached) and compares line by line. */
function compare(lines: readonly string[]): { transcoded: number } {
  let transcoded = 0
  const fastCache = new SuffixCache()
  const jsonCache = new SuffixCache()
  for (let round = 0; round < 2; round++) {
    const fast = parseBulk(body(lines), undefined, fastCache, true)
    const json = parseBulk(body(lines), undefined, jsonCache, false)
    assert.equal(fast.length, lines.length)
    assert.equal(json.length, lines.length)
    for (let i = 0; i < lines.length; i++) {
      assert.equal(json[i]!.src, undefined)
      if (fast[i]!.src !== undefined) transcoded++
      assert.deepEqual(outcome(fast[i]!, i), outcome(json[i]!, i), `line ${i}: ${lines[i]}`)
    }
  }
  return { transcoded }
}

const K =
  '"kubernetes":{"pod_name":"web-1","namespace_name":"shop","labels":{"app":"web"},"host":"node-1","container_name":"nginx"}'

test('Fluent Bit lines of every usual shape: transcoded, and stored exactly as parsed', () => {
  const lines = [
    `{"@timestamp":"2026-12-03T10:00:00.123Z","log":"GET /healthz 200","stream":"stdout","time":"2026-12-03T10:00:00.123456789Z",${K}}`,
    `{"@timestamp":"2026-12-03T10:00:00.124Z","log":"same second","stream":"stdout","time":"t",${K}}`,
    `{"@timestamp":"2026-12-03T10:00:01.000Z","log":"next second","stream":"stderr","time":"t",${K}}`,
    String.raw`{"@timestamp":"2026-12-03T10:00:01.500Z","log":"{\"level\":\"info\",\"msg\":\"a \\\"quoted\\\" word\",\"path\":\"\/a\/b\"}","stream":"stdout",` +
      `${K}}`,
    String.raw`{"log":"tab\there\nnew line\r\bback\fform","stream":"stdout",` + `${K}}`,
    `{"message":"from the cri parser","level":"warn",${K}}`,
    `{"level":"error","time":"x","stream":"stdout","log":"keys in another order","@timestamp":"2026-12-03T10:00:02Z",${K}}`,
    `{"@timestamp":"1764756000123","log":"epoch millis as a string",${K}}`,
    `{"@timestamp":"2026-12-03T12:00:00+09:00","log":"offset",${K}}`,
    `{"@timestamp":"2026-12-03 10:00:00.5","log":"space, no zone",${K}}`,
    `{"log":"",${K}}`,
    `{"log":"no timestamp: now",${K}}`,
    `{${K}}`,
    // CRI: Fluent Bit's cri parser leaves logtag, its cri multiline parser _p (kept in the row's own rest)
    `{"@timestamp":"2026-12-03T10:00:03.000Z","stream":"stdout","logtag":"F","message":"cri parser",${K}}`,
    `{"@timestamp":"2026-12-03T10:00:03.001Z","time":"2026-12-03T10:00:03.001Z","stream":"stderr","_p":"P","log":"multiline cri",${K}}`,
    `{"_p":"F","logtag":"F","log":"both, this order",${K}}`,
    `{"logtag":"F","_p":"F","log":"both, the other order",${K}}`,
    `{"logtag":"","log":"an empty tag",${K}}`,
    `{"logtag":"é","log":"a tag outside ASCII",${K}}`,
    `{"logtag":"F","kubernetes":{"pod_name":"x","namespace_name":"y"}}`,
    `{"logtag":"F","log":"metadata all columns: no shared part","kubernetes":{"pod_name":"x","namespace_name":"y","host":"h","container_name":"c"}}`,
    `{"stream":"stdout","log":"a line with a, comma and a \\"quote\\" and a }",${K}}`,
  ]
  const { transcoded } = compare(lines)
  // every one of them takes the fast path, in both rounds (a tail parsed on a miss serves its own line too)
  assert.equal(transcoded, lines.length * 2)
})

test('lines the fast path does not take go the JSON way, with the same result', () => {
  const lines = [
    `{"@timestamp":"2026-12-03T10:00:00.123Z","log":"ok",${K}}`, // taken
    `{"log":"other key","extra":1,${K}}`, // a key that stays in rest
    `{"log":"an escaped tag","logtag":"\\/",${K}}`, // \/ is not how JSON.stringify writes it
    `{"log":"a number tag","logtag":1,${K}}`,
    `{"log":"dup tag","logtag":"F","logtag":"P",${K}}`,
    `{"log":"a number","level":5,${K}}`, // a non-string value
    `{"log":"nested","stream":{"a":1},${K}}`,
    `{"log":"null","level":null,${K}}`,
    `{"log":"both","message":"keys",${K}}`, // message stays in rest
    `{"log":"dup","log":"licate",${K}}`, // the last value counts
    `{ "log":"space",${K}}`,
    `{"log" :"space",${K}}`,
    `{"log":"space" ,${K}}`,
    `{"log":"space", ${K}}`, // taken
    String.raw`{"log":"\u0041 unicode escape",` + `${K}}`,
    String.raw`{"log":"\u0002 the WAL quote",` + `${K}}`,
    String.raw`{"log":"a lone \ud800 surrogate",` + `${K}}`,
    `{"@timestamp":"2026-12-03T10:00:00\u00a0Z","log":"a no-break space in the timestamp",${K}}`,
    `{"log":"raw\ttab (invalid JSON)",${K}}`,
    `{"log":"raw\u0001control",${K}}`,
    String.raw`{"log":"bad escape \x",` + `${K}}`,
    `{"log":"unterminated,${K}}`,
    `{"l\\u006fg":"escaped key",${K}}`,
    `{"@timestamp":"not a date","log":"bad timestamp",${K}}`,
    `{"@timestamp":"2026-13-45T10:00:00.123Z","log":"impossible date",${K}}`, // taken
    `{"@timestamp":"99999-01-01T00:00:00Z","log":"too late",${K}}`,
    `{"@timestamp":1764756000123,"log":"number timestamp",${K}}`,
    String.raw`{"@timestamp":"2026-12-03T10:00:00.1\u0032Z","log":"escaped timestamp",` + `${K}}`,
    `{"log":"kubernetes without column keys","kubernetes":{"labels":{"app":"x"}}}`,
    `{"log":"kubernetes not last",${K},"after":1}`,
    `{,${K}}`,
    `{"log":"x",,${K}}`,
    `[1,${K}}`,
    ` {"log":"leading space",${K}}`,
  ]
  const { transcoded } = compare(lines)
  // taken: the first line; whitespace after the comma before the tail (the head itself is compact);
  // the impossible date, which both paths read the same lenient way (Date.UTC rolls it over)
  assert.equal(transcoded, 6, 'the fast path takes 3 of these lines (twice: two rounds)')
})

test('characters outside ASCII: copied as they are from a valid UTF-8 body, else the JSON path', () => {
  const lines = [
    `{"@timestamp":"2026-12-03T10:00:00.123Z","log":"결제 실패: 잔액 부족 (주문 1234)","stream":"stderr",${K}}`,
    `{"log":"emoji 😀 and é, ☃, a raw DEL \x7f","level":"경고",${K}}`,
    `{"log":"escaped \\"quote\\" 한글","time":"2026-12-03T10:00:00.123456789Z",${K}}`,
    `{"@timestamp":"2026-12-03T10:00:00.123Z ","log":"a no-break space after the timestamp",${K}}`,
  ]
  const { transcoded } = compare(lines)
  // all but the last (its timestamp has a character outside ASCII)
  assert.equal(transcoded, 6)

  // the same lines in a body with one invalid UTF-8 byte elsewhere: the JSON path (which decodes
  // invalid bytes as U+FFFD) for every line with characters outside ASCII, the same rows either way
  const bad = Buffer.concat([
    body(lines),
    Buffer.from('{"create":{"_index":"logs-2026.12.03"}}\n{"log":"bad \xff byte",'),
    Buffer.from([0x22, 0x62, 0xff, 0x22, 0x3a, 0x31, 0x2c]),
    Buffer.from(`${K}}\n`),
  ])
  const fast = parseBulk(bad, undefined, new SuffixCache(), true)
  const json = parseBulk(bad, undefined, new SuffixCache(), false)
  assert.equal(fast.length, lines.length + 1)
  assert.equal(fast.filter((o) => o.src !== undefined).length, 0)
  for (let i = 0; i < fast.length; i++) assert.deepEqual(outcome(fast[i]!, i), outcome(json[i]!, i), `line ${i}`)
})

test('random lines: same WAL rows either way', () => {
  // seeded, so a failure is reproducible
  let seed = 7
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x80000000
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const strings = [
    'plain',
    '',
    'with \\"quotes\\"',
    'slash \\/ and back\\\\slash',
    'ctl \\n\\t\\r\\b\\f',
    'uni \\u00e9',
    'é',
    '한글 ☃ 😀',
    'a\\u0002b',
    '2026-12-03T10:00:00.999Z',
    '2026-12-03T10:00:59.001Z',
    '1764756000000',
    '} , { "kubernetes": ',
  ]
  const keys = ['@timestamp', 'log', 'message', 'stream', 'level', 'time', 'logtag', '_p', 'other', 'kubernetes']
  const tails = [
    K,
    '"kubernetes":{"pod_name":"p2","namespace_name":"n"}',
    '"kubernetes":{"host":"only-host"}',
    '"kubernetes":{"labels":{}}',
  ]
  const lines: string[] = []
  for (let n = 0; n < 3000; n++) {
    const members: string[] = []
    const count = Math.floor(rnd() * 5)
    for (let m = 0; m < count; m++) {
      const key = pick(keys)
      const v = rnd() < 0.9 ? `"${pick(strings)}"` : pick(['1', 'null', 'true', '{"a":1}', '[]'])
      members.push(`"${key}":${v}`)
    }
    const sep = rnd() < 0.95 ? ',' : ' , '
    lines.push(`{${members.map((x) => x + sep).join('')}${pick(tails)}}`)
  }
  const { transcoded } = compare(lines)
  assert.ok(transcoded > 500, `the fast path took ${transcoded} of ${lines.length * 2} lines`)
})

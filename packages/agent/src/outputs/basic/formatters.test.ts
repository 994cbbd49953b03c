import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeMulti } from '@msgpack/msgpack'
import type { LogEvent } from '@sluice/core/record.ts'
import { DEFAULT_GELF_KEYS } from '../../format/gelf.ts'
import { jsonDateValue } from '../../format/json-date.ts'
import { jsonDouble, printfG16 } from '../../format/numbers.ts'
import { fileFormatConfig, fileNameForTag, formatFile } from './file.ts'
import { classifyStatus, formatHttpBody, requestHeaders, retryAfterMs } from './http.ts'
import { formatStdout } from './stdout.ts'

const ev = (sec: number, nsec: number, body: Record<string, unknown>): LogEvent => ({ sec, nsec, body })
// 2026-11-22T07:30:00.123456789Z
const E1 = ev(1795332600, 123456789, { log: 'hello', n: 1, ok: true, nested: { a: [1, 'x'] }, none: null })
const E2 = ev(1795332601, 0, {})

describe('number and date renderings', () => {
  it('renders doubles as Fluent Bit does', () => {
    assert.equal(jsonDouble(1795332600), '1795332600.0')
    assert.equal(jsonDouble(E1.sec + E1.nsec / 1e9), '1795332600.123457')
    assert.equal(printfG16(0.0001), '0.0001')
    assert.equal(printfG16(1e-5), '1e-05')
    assert.equal(printfG16(1.5e20), '1.5e+20')
  })

  const cases = [
    ['double', '1795332600.123457'],
    ['epoch', '1795332600'],
    ['epoch_ms', '1795332600123'],
    ['iso8601', '"2026-11-22T07:30:00.123456Z"'],
    ['java_sql_timestamp', '"2026-11-22 07:30:00.123456"'],
  ] as const
  for (const [fmt, want] of cases) {
    it(`json_date_format ${fmt}`, () => assert.equal(jsonDateValue(E1.sec, E1.nsec, fmt), want))
  }
})

describe('JSON text', () => {
  it('escapes non-ASCII characters as Fluent Bit does (json.escape_unicode on)', () => {
    const e = ev(1795332600, 0, { msg: '안녕 µ€ 😀', ascii: 'ok' })
    const want = '{"date":1795332600.0,"msg":"\\uc548\\ub155 \\u00b5\\u20ac \\ud83d\\ude00","ascii":"ok"}\n'
    assert.equal(formatStdout([e], 't', { format: 'json_lines', dateKey: 'date', dateFormat: 'double' }), want)
    const plain = formatFile([e], 't', fileFormatConfig({ format: 'plain', template: '' }))
    assert.equal(plain, '{"msg":"\\uc548\\ub155 \\u00b5\\u20ac \\ud83d\\ude00","ascii":"ok"}\n')
    assert.equal(JSON.parse(plain as string).msg, '안녕 µ€ 😀')
  })
})

describe('stdout formatter', () => {
  const table: [string, Parameters<typeof formatStdout>[2], string][] = [
    [
      'default print',
      { format: undefined, dateKey: 'date', dateFormat: 'double' },
      '[0] kube.a: [[1795332600.123456789, {}], {"log"=>"hello", "n"=>1, "ok"=>true, "nested"=>{"a"=>[1, "x"]}, "none"=>nil}]\n' +
        '[1] kube.a: [[1795332601.000000000, {}], {}]\n',
    ],
    [
      'json_lines',
      { format: 'json_lines', dateKey: 'date', dateFormat: 'double' },
      '{"date":1795332600.123457,"log":"hello","n":1,"ok":true,"nested":{"a":[1,"x"]},"none":null}\n{"date":1795332601.0}\n',
    ],
    [
      'json with iso8601 and a custom key',
      { format: 'json', dateKey: '@t', dateFormat: 'iso8601' },
      '[{"@t":"2026-11-22T07:30:00.123456Z","log":"hello","n":1,"ok":true,"nested":{"a":[1,"x"]},"none":null},{"@t":"2026-11-22T07:30:01.000000Z"}]\n',
    ],
    [
      'json_stream without date',
      { format: 'json_stream', dateKey: null, dateFormat: 'double' },
      '{"log":"hello","n":1,"ok":true,"nested":{"a":[1,"x"]},"none":null}{}\n',
    ],
  ]
  for (const [name, f, want] of table) it(name, () => assert.equal(formatStdout([E1, E2], 'kube.a', f), want))
})

describe('file formatter', () => {
  const base = { delimiter: undefined, label_delimiter: undefined, template: '{time} {log}' }
  const table: [string, Parameters<typeof fileFormatConfig>[0], string][] = [
    ['out_file', { ...base, format: 'out_file' }, 'kube.a: [1795332600.123456789, {"log":"hello","x":2.5}]\n'],
    ['plain', { ...base, format: 'plain' }, '{"log":"hello","x":2.5}\n'],
    ['csv', { ...base, format: 'csv' }, '1795332600.123456789,"hello",2.500000\n'],
    ['csv with tab', { ...base, format: 'csv', delimiter: 'tab' }, '1795332600.123456789\t"hello"\t2.500000\n'],
    ['ltsv', { ...base, format: 'ltsv' }, '"time":1795332600.123457\t"log":"hello"\t"x":2.500000\n'],
    [
      'ltsv custom',
      { ...base, format: 'ltsv', delimiter: 'comma', label_delimiter: 'space' },
      '"time" 1795332600.123457,"log" "hello","x" 2.500000\n',
    ],
    ['template', { ...base, format: 'template' }, '1795332600.123457 hello\n'],
    [
      'template with unknown keys, non-strings and stray braces',
      { ...base, format: 'template', template: '{x} {nope} {{log} end{' },
      '2.500000 {nope} {hello end{\n',
    ],
    ['json_lines', { ...base, format: 'json_lines' }, '{"date":1795332600.123457,"log":"hello","x":2.5}\n'],
  ]
  const e = ev(1795332600, 123456789, { log: 'hello', x: 2.5 })
  for (const [name, o, want] of table)
    it(name, () => assert.equal(formatFile([e], 'kube.a', fileFormatConfig(o)).toString(), want))

  it('file names from tags are made filesystem-safe', () => {
    assert.equal(fileNameForTag('kube.var.log.containers.a_b-c.log'), 'kube.var.log.containers.a_b-c.log')
    assert.equal(fileNameForTag('/etc/../passwd'), 'etc/_/passwd')
    assert.equal(fileNameForTag('a b:c'), 'a_b_c')
    assert.equal(fileNameForTag('//'), '_')
  })

  it('msgpack writes Fluent Bit event records', () => {
    const buf = formatFile([e], 'kube.a', fileFormatConfig({ ...base, format: 'msgpack' })) as Buffer
    const [rec] = [...decodeMulti(buf)] as unknown[][]
    const [[t, meta], body] = rec as [[{ type: number; data: Uint8Array }, object], object]
    assert.equal(t.type, 0)
    const dv = new DataView(t.data.buffer, t.data.byteOffset, 8)
    assert.deepEqual([dv.getUint32(0), dv.getUint32(4)], [1795332600, 123456789])
    assert.deepEqual(meta, {})
    assert.deepEqual(body, { log: 'hello', x: 2.5 })
  })
})

describe('http formatter', () => {
  const cfg = { dateKey: 'date', dateFormat: 'double', gelf: DEFAULT_GELF_KEYS } as const
  it('json_lines body and content type', () => {
    const r = formatHttpBody([E2], { ...cfg, format: 'json_lines' })
    assert.deepEqual(r, { body: '{"date":1795332601.0}\n', contentType: 'application/json', rejected: [] })
  })
  it('msgpack body', () => {
    const r = formatHttpBody([E2], { ...cfg, format: 'msgpack' })
    assert.equal(r.contentType, 'application/msgpack')
    assert.equal([...decodeMulti(r.body as Buffer)].length, 1)
  })
  it('gelf: record order, mapped keys, flattened maps, booleans as strings, refused records', () => {
    const ok = ev(1795332600, 123456789, {
      host: 'node-1',
      short_message: 'boom',
      level: 'err',
      ok: true,
      gone: null,
      id: 'x',
      'a b': 1.5,
      k8s: { pod: 'p', labels: { app: 'web' } },
      tags: ['x', 2],
    })
    const r = formatHttpBody([ok, E2], { ...cfg, format: 'gelf' })
    assert.equal(
      r.body,
      '{"version":"1.1", "host":"node-1", "short_message":"boom", "level":3, "_ok":"true", "_a_b":1.500000, ' +
        '"_k8s_pod":"p", "_k8s_labels_app":"web", "_tags":"x, 2", "timestamp":1795332600.123}\n',
    )
    assert.equal(r.rejected.length, 1)
    assert.match(r.rejected[0]!.reason, /short_message/)
  })

  it('headers: auth, tag, duplicates allowed or replaced', () => {
    const base = {
      contentType: 'application/json',
      encoding: 'gzip' as const,
      user: 'u',
      passwd: 'p',
      tag: 't.1',
      headerTag: 'X-Tag',
    }
    const headers = [
      ['X-A', '1'],
      ['X-A', '2'],
      ['Content-Type', 'text/plain'],
    ]
    assert.deepEqual(requestHeaders({ ...base, headers, allowDuplicates: true }), [
      'content-type',
      'application/json',
      'user-agent',
      'Fluent-Bit',
      'content-encoding',
      'gzip',
      'authorization',
      `Basic ${Buffer.from('u:p').toString('base64')}`,
      'X-Tag',
      't.1',
      'X-A',
      '1',
      'X-A',
      '2',
      'Content-Type',
      'text/plain',
    ])
    assert.deepEqual(
      requestHeaders({ ...base, encoding: undefined, user: undefined, headers, allowDuplicates: false }),
      ['user-agent', 'Fluent-Bit', 'X-Tag', 't.1', 'X-A', '2', 'Content-Type', 'text/plain'],
    )
  })
  it('classifies statuses and reads Retry-After', () => {
    assert.deepEqual(classifyStatus(204, ''), { kind: 'ok' })
    assert.deepEqual(classifyStatus(503, 'busy', 2000), {
      kind: 'retry',
      reason: 'HTTP status 503: busy',
      retryAfterMs: 2000,
    })
    assert.equal(classifyStatus(429, '').kind, 'retry')
    assert.deepEqual(classifyStatus(400, 'bad json'), { kind: 'error', reason: 'HTTP status 400: bad json' })
    assert.equal(retryAfterMs('3'), 3000)
    assert.equal(retryAfterMs('Sun, 22 Nov 2026 07:30:10 GMT', Date.UTC(2026, 10, 22, 7, 30, 0)), 10000)
    assert.equal(retryAfterMs('soon'), undefined)
  })
})

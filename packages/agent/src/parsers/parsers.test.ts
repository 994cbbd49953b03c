import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Section } from '@sluice/core/config/model.ts'
import { parserFrom } from '../testing/parser-from.ts'
import { createParserRegistry } from './index.ts'

let line = 0
function section(entries: Record<string, string | string[]>, file = 'parsers.conf'): Section {
  const start = (line += 10)
  let n = start
  return {
    kind: 'parser',
    loc: { file, line: start },
    entries: Object.entries(entries).flatMap(([key, v]) =>
      (Array.isArray(v) ? v : [v]).map((value) => ({ key, value, loc: { file, line: ++n } })),
    ),
  }
}

const parser = (entries: Record<string, string | string[]>) => parserFrom(entries)

const t = (iso: string) => Date.parse(iso) / 1000

describe('regex parser', () => {
  it('seed 000 cri (no Time_Keep) yields {stream, logtag, message} and the record time', () => {
    const p = parser({
      Name: 'cri',
      Format: 'regex',
      Regex: '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$',
      Time_Key: 'time',
      Time_Format: '%Y-%m-%dT%H:%M:%S.%L%z',
    })
    assert.deepEqual(p.parse('2026-11-22T07:30:00.123456789Z stdout F hello world'), {
      body: { stream: 'stdout', logtag: 'F', message: 'hello world' },
      sec: t('2026-11-22T07:30:00Z'),
      nsec: 123456789,
    })
  })

  it('seed 004 cri names the last group log', () => {
    const p = parser({
      Name: 'cri',
      Format: 'regex',
      Regex: '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<log>.*)$',
    })
    assert.deepEqual(p.parse('2026-11-22T07:30:00.1Z stderr P part'), {
      body: { time: '2026-11-22T07:30:00.1Z', stream: 'stderr', logtag: 'P', log: 'part' },
    })
  })

  it('Time_Keep keeps the time field; an unreadable time is left out and the record keeps its time', () => {
    const p = parser({
      Name: 'k',
      Format: 'regex',
      Regex: '^(?<time>\\S+) (?<msg>.*)$',
      Time_Format: '%Y-%m-%d',
      Time_Keep: 'On',
    })
    assert.deepEqual(p.parse('2026-11-22 hi'), {
      body: { time: '2026-11-22', msg: 'hi' },
      sec: t('2026-11-22'),
      nsec: 0,
    })
    assert.deepEqual(p.parse('yesterday hi'), {
      body: { msg: 'hi' },
      timeError: "invalid time format %Y-%m-%d for 'yesterday'",
    })
  })

  it('values stay strings unless Types says otherwise', () => {
    const p = parser({
      Name: 'typed',
      Format: 'regex',
      Regex: '^(?<a>\\S+) (?<b>\\S+) (?<c>\\S+) (?<d>\\S+) (?<e>\\S+) (?<f>\\S+)$',
      Types: 'a:integer b:float c:bool d:hex e:string f:bool',
    })
    assert.deepEqual(p.parse('42 1.5 TRUE ff 7 maybe')?.body, { a: 42, b: 1.5, c: true, d: 255, e: '7', f: 'maybe' })
    assert.deepEqual(p.parse('x12 abc false 0x10 7 false')?.body, { a: 0, b: 0, c: false, d: 16, e: '7', f: false })
  })

  it('skips empty values unless Skip_Empty_Values is off', () => {
    const re = '^(?<a>[^ ]*) (?<b>[^ ]*)(?: (?<c>x))?$'
    assert.deepEqual(parser({ Name: 'se1', Format: 'regex', Regex: re }).parse('one ')?.body, { a: 'one' })
    assert.deepEqual(
      parser({ Name: 'se2', Format: 'regex', Regex: re, Skip_Empty_Values: 'Off' }).parse('one ')?.body,
      { a: 'one', b: '', c: '' },
    )
  })

  it('exposes its RegExp (the kubernetes filter matches tags with Regex_Parser)', () => {
    const { registry } = createParserRegistry([])
    const m = registry
      .get('kube-custom')!
      .regex!.exec('custom.app-1_default_web-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log')
    assert.equal(m?.groups?.tag, 'custom')
    assert.equal(m?.groups?.pod_name, 'app-1')
    assert.equal(m?.groups?.namespace_name, 'default')
    assert.equal(m?.groups?.container_name, 'web')
  })

  it('returns null when the line does not match', () => {
    assert.equal(parser({ Name: 'nm', Format: 'regex', Regex: '^(?<a>\\d+)$' }).parse('abc'), null)
  })

  it('applies Time_Offset to zone-less times', () => {
    const p = parser({
      Name: 'off',
      Format: 'regex',
      Regex: '^(?<time>.+)$',
      Time_Format: '%Y-%m-%d %H:%M:%S',
      Time_Offset: '+0900',
    })
    assert.equal(p.parse('2026-11-22 16:30:00')?.sec, t('2026-11-22T07:30:00Z'))
  })
})

describe('json parser', () => {
  it('stock docker keeps log, stream and time (Time_Keep On), and sets the record time', () => {
    const { registry } = createParserRegistry([])
    const r = registry
      .get('docker')!
      .parse('{"log":"hello\\n","stream":"stdout","time":"2018-03-09T01:01:44.851160855Z"}')
    assert.deepEqual(r, {
      body: { log: 'hello\n', stream: 'stdout', time: '2018-03-09T01:01:44.851160855Z' },
      sec: t('2018-03-09T01:01:44Z'),
      nsec: 851160855,
    })
  })

  it('seed 000 docker (Time_Keep off) removes time', () => {
    const p = parser({
      Name: 'docker',
      Format: 'json',
      Time_Key: 'time',
      Time_Format: '%Y-%m-%dT%H:%M:%S.%L',
      Time_Keep: 'off',
    })
    assert.deepEqual(p.parse('{"log":"x","stream":"stderr","time":"2018-03-09T01:01:44.5Z"}'), {
      body: { log: 'x', stream: 'stderr' },
      sec: t('2018-03-09T01:01:44Z'),
      nsec: 500000000,
    })
  })

  it('keeps an unreadable time and rejects non-objects', () => {
    const p = parser({ Name: 'j', Format: 'json', Time_Format: '%s' })
    assert.deepEqual(p.parse('{"time":"soon","a":1}'), {
      body: { time: 'soon', a: 1 },
      timeError: "invalid time format %s for 'soon'",
    })
    assert.deepEqual(p.parse('{"time":1700000000}'), {
      body: { time: 1700000000 },
      timeError: 'invalid non-string time 1700000000',
    })
    assert.equal(p.parse('[1,2]'), null)
    assert.equal(p.parse('not json'), null)
    assert.equal(p.parse('"str"'), null)
  })

  it('Decode_Field_As json replaces, Decode_Field json appends', () => {
    const as = parser({ Name: 'd1', Format: 'json', Decode_Field_As: 'json log' })
    assert.deepEqual(as.parse('{"log":"{\\"a\\":1}","s":"x"}')?.body, { log: { a: 1 }, s: 'x' })
    const add = parser({ Name: 'd2', Format: 'json', Decode_Field: 'json log' })
    assert.deepEqual(add.parse('{"log":"{\\"a\\":1}","s":"x"}')?.body, { log: '{"a":1}', s: 'x', a: 1 })
    assert.deepEqual(add.parse('{"log":"plain","s":"x"}')?.body, { log: 'plain', s: 'x' })
  })

  it('escaped and escaped_utf8 decoders', () => {
    const p = parser({ Name: 'd3', Format: 'json', Decode_Field_As: ['escaped_utf8 log do_next', 'escaped log'] })
    assert.deepEqual(p.parse(String.raw`{"log":"\\u0009tab\\nline"}`)?.body, { log: '\ttab\nline' })
  })
})

describe('__proto__ in log data', () => {
  it('stays a plain key in every format, never the record prototype', () => {
    const proto = (b: object | undefined) => Object.getPrototypeOf(b)
    const lf = parser({ Name: 'p1', Format: 'logfmt' }).parse('__proto__=x a=1')!.body
    assert.equal(Object.getOwnPropertyDescriptor(lf, '__proto__')?.value, 'x')
    assert.equal(proto(lf), Object.prototype)
    const dec = parser({ Name: 'p2', Format: 'json', Decode_Field: 'json log' }).parse(
      JSON.stringify({ log: '{"__proto__":{"polluted":true}}' }),
    )!.body
    assert.equal(proto(dec), Object.prototype)
    assert.equal((dec as { polluted?: unknown }).polluted, undefined)
    assert.deepEqual(Object.getOwnPropertyDescriptor(dec, '__proto__')?.value, { polluted: true })
    const js = parser({ Name: 'p3', Format: 'json', Time_Format: '%s' }).parse('{"__proto__":{"x":1},"time":"1"}')!.body
    assert.equal(proto(js), Object.prototype)
    assert.deepEqual(Object.keys(js), ['__proto__'])
  })
})

describe('logfmt parser', () => {
  it('parses pairs, quoted values and bare keys', () => {
    const { registry } = createParserRegistry([])
    const p = registry.get('logfmt')!
    assert.deepEqual(p.parse('level=info msg="hello \\"you\\"" bare empty= q="" n=3')?.body, {
      level: 'info',
      msg: 'hello "you"',
      bare: true,
      empty: true,
      q: '',
      n: '3',
    })
  })

  it('reads the time key, types, and rejects bare keys when asked', () => {
    const p = parser({ Name: 'lf', Format: 'logfmt', Time_Format: '%s', Types: 'n:integer' })
    assert.deepEqual(p.parse('time=1700000000 n=3 a=b'), { body: { n: 3, a: 'b' }, sec: 1700000000, nsec: 0 })
    assert.equal(p.parse('time=never a=b'), null)
    const strict = parser({ Name: 'lf2', Format: 'logfmt', Logfmt_No_Bare_Keys: 'on' })
    assert.equal(strict.parse('a=b bare'), null)
    assert.deepEqual(strict.parse('a=b')?.body, { a: 'b' })
  })
})

describe('ltsv parser', () => {
  it('parses label:value pairs separated by tabs', () => {
    const p = parser({
      Name: 'lt',
      Format: 'ltsv',
      Time_Key: 'time',
      Time_Format: '[%d/%b/%Y:%H:%M:%S %z]',
      Types: 'status:integer',
    })
    assert.deepEqual(p.parse('host:127.0.0.1\ttime:[22/Nov/2026:07:30:00 +0000]\tstatus:200\treq:GET / HTTP/1.1'), {
      body: { host: '127.0.0.1', status: 200, req: 'GET / HTTP/1.1' },
      sec: t('2026-11-22T07:30:00Z'),
      nsec: 0,
    })
    assert.equal(p.parse('no labels here'), null)
  })
})

describe('createParserRegistry', () => {
  it('has the stock parsers by name, overridable by a [PARSER]', () => {
    const { registry } = createParserRegistry([])
    for (const n of [
      'apache',
      'apache2',
      'apache_error',
      'nginx',
      'json',
      'docker',
      'cri',
      'syslog',
      'k8s-nginx-ingress',
      'docker-daemon',
      'syslog-rfc5424',
      'syslog-rfc3164',
      'syslog-rfc3164-local',
      'mongodb',
      'envoy',
      'istio-envoy-proxy',
      'kube-custom',
      'logfmt',
    ])
      assert.ok(registry.get(n), n)
    const over = createParserRegistry([section({ Name: 'json', Format: 'regex', Regex: '^(?<all>.*)$' })])
    assert.equal(over.registry.get('json')!.format, 'regex')
  })

  it('stock apache and syslog parse their logs', () => {
    const { registry } = createParserRegistry([])
    const a = registry
      .get('apache')!
      .parse('192.168.0.1 - frank [22/Nov/2026:16:30:00 +0900] "GET /index.html HTTP/1.1" 200 2326 "-" "curl/8.0"')
    assert.deepEqual(a, {
      body: {
        host: '192.168.0.1',
        user: 'frank',
        method: 'GET',
        path: '/index.html',
        code: '200',
        size: '2326',
        referer: '-',
        agent: 'curl/8.0',
      },
      sec: t('2026-11-22T07:30:00Z'),
      nsec: 0,
    })
    const s = registry.get('syslog-rfc5424')!.parse('<34>1 2026-11-22T07:30:00.5Z host app 123 ID47 - message here')
    assert.equal(s?.body.host, 'host')
    assert.equal(s?.body.pid, '123')
    assert.equal(s?.body.message, 'message here')
    assert.equal(s?.sec, t('2026-11-22T07:30:00Z'))
  })

  it('reports every problem with file:line and parser.<name>', () => {
    const { diagnostics } = createParserRegistry([
      section({ Name: 'bad_format', Format: 'xml' }, 'a.conf'),
      section({ Name: 'no_regex', Format: 'regex' }, 'b.conf'),
      section({ Name: 'bad_regex', Format: 'regex', Regex: '(?<x>a' }, 'c.conf'),
      section({ Name: 'bad_time', Format: 'json', Time_Format: '%Y-%Q' }, 'd.conf'),
      section({ Name: 'bad_types', Format: 'regex', Regex: '(?<a>.)', Types: 'a:number b' }, 'e.conf'),
      section({ Name: 'bad_decoder', Format: 'json', Decode_Field: 'yaml log' }, 'f.conf'),
      section({ Name: 'bad_offset', Format: 'json', Time_Offset: 'nine' }, 'g.conf'),
    ])
    const got = diagnostics.map((d) => `${d.file}:${d.instance}:${d.severity}:${d.option ?? ''}`)
    assert.deepEqual(got, [
      'a.conf:parser.bad_format:error:Format',
      'b.conf:parser.no_regex:error:regex',
      'c.conf:parser.bad_regex:error:regex',
      'd.conf:parser.bad_time:error:time_format',
      'e.conf:parser.bad_types:error:types',
      'e.conf:parser.bad_types:error:types',
      'f.conf:parser.bad_decoder:error:Decode_Field',
      'g.conf:parser.bad_offset:error:time_offset',
    ])
    for (const d of diagnostics) assert.ok(typeof d.line === 'number' && d.line > 0)
    assert.match(diagnostics[2]!.message, /unbalanced/)
    assert.match(diagnostics[3]!.message, /%Q/)
  })

  it('a second [PARSER] with the same name is an error', () => {
    const { diagnostics } = createParserRegistry([
      section({ Name: 'dup', Format: 'json' }),
      section({ Name: 'dup', Format: 'logfmt' }),
    ])
    assert.equal(diagnostics.length, 1)
    assert.match(diagnostics[0]!.message, /already defined/)
  })
})

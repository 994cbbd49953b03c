import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { parseCriLine } from './builtins.ts'
import { createMultilineRegistry } from './index.ts'
import type { Joiner } from './joiner.ts'

const { registry } = createMultilineRegistry([])
const raw = (log: string, sec = 1): LogEvent => ({ sec, nsec: 0, body: { log } })
const joiner = (names: string[], opts = {}) => registry.create(names, opts) as Joiner
function pushAll(j: Joiner, lines: string[], group = 'f'): LogEvent[] {
  const out: LogEvent[] = []
  for (const l of lines) out.push(...j.push(raw(l), group))
  return out
}

describe('cri multiline parser', () => {
  test('a full line becomes {time, stream, _p, log} with the line time', () => {
    const out = pushAll(joiner(['cri']), ['2026-11-22T07:30:00.123456789Z stdout F hello world'])
    assert.deepEqual(out, [
      {
        sec: Date.UTC(2026, 10, 22, 7, 30) / 1000,
        nsec: 123456789,
        body: { time: '2026-11-22T07:30:00.123456789Z', stream: 'stdout', _p: 'F', log: 'hello world' },
      },
    ])
  })

  test('P parts are joined until F; the record keeps the first part time and _p', () => {
    const j = joiner(['cri'])
    const out = pushAll(j, [
      '2026-11-22T07:30:00.000000001Z stdout P aaa',
      '2026-11-22T07:30:00.000000002Z stdout P bbb',
      '2026-11-22T07:30:00.000000003Z stdout F ccc',
    ])
    assert.equal(out.length, 1)
    assert.deepEqual(out[0]!.body, {
      time: '2026-11-22T07:30:00.000000001Z',
      stream: 'stdout',
      _p: 'P',
      log: 'aaabbbccc',
    })
    assert.equal(out[0]!.nsec, 1)
    assert.equal(j.pending(), 0)
  })

  test('interleaved stdout and stderr partial lines are joined apart', () => {
    const j = joiner(['cri'])
    const out = pushAll(j, [
      '2026-11-22T07:30:00Z stdout P out-1 ',
      '2026-11-22T07:30:00Z stderr P err-1 ',
      '2026-11-22T07:30:01Z stdout P out-2 ',
      '2026-11-22T07:30:01Z stderr F err-2',
      '2026-11-22T07:30:02Z stdout F out-3',
    ])
    assert.deepEqual(
      out.map((e) => [e.body.stream, e.body.log]),
      [
        ['stderr', 'err-1 err-2'],
        ['stdout', 'out-1 out-2 out-3'],
      ],
    )
  })

  test('a line over 16 KiB split by the runtime comes back whole', () => {
    const big = 'x'.repeat(40_000)
    const parts = [big.slice(0, 16384), big.slice(16384, 32768), big.slice(32768)]
    const out = pushAll(joiner(['cri']), [
      `2026-11-22T07:30:00Z stdout P ${parts[0]}`,
      `2026-11-22T07:30:00Z stdout P ${parts[1]}`,
      `2026-11-22T07:30:00Z stdout F ${parts[2]}`,
    ])
    assert.equal(out.length, 1)
    assert.equal(out[0]!.body.log, big)
  })

  test('files are independent groups', () => {
    const j = joiner(['cri'])
    assert.deepEqual(j.push(raw('2026-11-22T07:30:00Z stdout P a-'), 'file-a'), [])
    assert.deepEqual(j.push(raw('2026-11-22T07:30:00Z stdout P b-'), 'file-b'), [])
    assert.equal(j.pending('file-a'), 1)
    assert.equal(j.push(raw('2026-11-22T07:30:00Z stdout F a'), 'file-a')[0]!.body.log, 'a-a')
    assert.equal(j.pending('file-b'), 1)
    assert.equal(j.flushAll('file-b')[0]!.body.log, 'b-')
  })

  test('a pending partial line is flushed on timeout', () => {
    const j = joiner(['cri'])
    let now = 1_000_000
    j.now = () => now
    j.push(raw('2026-11-22T07:30:00Z stdout P never finished'), 'f')
    assert.deepEqual(j.flushExpired(now + 3999), [])
    assert.equal(j.nextDeadline(), now + 4000)
    now += 10
    const out = j.flushExpired(now + 4000)
    assert.equal(out.length, 1)
    assert.equal(out[0]!.body.log, 'never finished')
    assert.equal(j.pending(), 0)
  })

  test('flush_ms from the caller overrides the parser timeout', () => {
    const j = joiner(['cri'], { flushMs: 100 })
    j.now = () => 0
    j.push(raw('2026-11-22T07:30:00Z stdout P x'), 'f')
    assert.equal(j.flushExpired(100).length, 1)
  })

  test('a line that is not CRI passes unchanged', () => {
    const out = pushAll(joiner(['cri']), ['not a cri line'])
    assert.deepEqual(out, [raw('not a cri line')])
  })

  test('records already parsed by Parser cri are joined too', () => {
    const j = joiner(['cri'])
    const a = j.push({ sec: 5, nsec: 0, body: { time: 't', stream: 'stdout', _p: 'P', log: 'a' } }, 'f')
    const b = j.push({ sec: 6, nsec: 0, body: { time: 't', stream: 'stdout', _p: 'F', log: 'b' } }, 'f')
    assert.deepEqual(a, [])
    assert.deepEqual(b, [{ sec: 5, nsec: 0, body: { time: 't', stream: 'stdout', _p: 'P', log: 'ab' } }])
  })

  test('other keys of the pushed record stay (tail Path_Key)', () => {
    const j = joiner(['cri'])
    const out = j.push({ sec: 1, nsec: 0, body: { log: '2026-11-22T07:30:00Z stderr F e', file: '/x.log' } }, 'f')
    assert.deepEqual(out[0]!.body, {
      log: 'e',
      file: '/x.log',
      time: '2026-11-22T07:30:00Z',
      stream: 'stderr',
      _p: 'F',
    })
  })

  test('parseCriLine handles an empty log and offsets', () => {
    assert.deepEqual(parseCriLine('2026-11-22T16:30:00+09:00 stdout F')?.body.log, '')
    assert.equal(parseCriLine('2026-11-22T16:30:00+09:00 stdout F x')?.sec, Date.UTC(2026, 10, 22, 7, 30) / 1000)
    assert.equal(parseCriLine('2026-11-22T16:30:00Z stdin F x'), null)
    assert.equal(parseCriLine('2026-11-22T16:30:00Z stdout X x'), null)
  })

  test('buffer limit: the message is cut at the limit, emitted at once and counted; later lines start afresh', () => {
    const j = joiner(['cri'], { bufferLimit: 10 })
    const out = pushAll(j, [
      '2026-11-22T07:30:00Z stdout P 123456',
      '2026-11-22T07:30:00Z stdout P 789abc',
      '2026-11-22T07:30:00Z stdout F def',
      '2026-11-22T07:30:01Z stdout F next',
    ])
    assert.deepEqual(
      out.map((e) => e.body.log),
      ['123456789a', 'def', 'next'],
    )
    assert.equal(j.truncated, 1)
    assert.equal(j.pending(), 0)
  })

  test('buffer limit cuts at a UTF-8 character boundary', () => {
    const j = joiner(['cri'], { bufferLimit: 5 })
    const out = pushAll(j, ['2026-11-22T07:30:00Z stdout P 한국어'])
    assert.equal(out[0]!.body.log, '한')
  })
})

describe('docker multiline parser', () => {
  test('json-file lines split at 16 KiB are joined until a log ending with a newline', () => {
    const j = joiner(['docker'])
    const out = pushAll(j, [
      JSON.stringify({ log: 'one, ', stream: 'stdout', time: '2021-02-01T01:40:03.53413Z' }),
      JSON.stringify({ log: 'two, ', stream: 'stderr', time: '2021-02-01T01:40:03.53414Z' }),
      JSON.stringify({ log: 'three\n', stream: 'stdout', time: '2021-02-01T01:40:03.53415Z' }),
      JSON.stringify({ log: 'four\n', stream: 'stderr', time: '2021-02-01T01:40:03.53416Z' }),
    ])
    assert.deepEqual(
      out.map((e) => e.body),
      [
        { log: 'one, three\n', stream: 'stdout', time: '2021-02-01T01:40:03.53413Z' },
        { log: 'two, four\n', stream: 'stderr', time: '2021-02-01T01:40:03.53414Z' },
      ],
    )
    assert.equal(out[0]!.nsec, 534130000)
  })

  test('docker, cri tries docker first then cri', () => {
    const out = pushAll(joiner(['docker', 'cri']), [
      '2026-11-22T07:30:00Z stdout F from cri',
      JSON.stringify({ log: 'from docker\n', stream: 'stdout', time: '2026-11-22T07:30:00Z' }),
    ])
    assert.deepEqual(
      out.map((e) => e.body.log),
      ['from cri', 'from docker\n'],
    )
  })
})

const JAVA = [
  '2026-11-22 07:30:00 ERROR c.e.OrderService - order failed',
  'java.lang.IllegalStateException: payment declined',
  '\tat com.example.PaymentClient.charge(PaymentClient.java:88)',
  '\tat com.example.OrderService.place(OrderService.java:41)',
  'Caused by: java.net.SocketTimeoutException: Read timed out',
  '\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)',
  '\t... 12 more',
  '2026-11-22 07:30:01 INFO c.e.OrderService - next order',
]

const PYTHON = [
  'Traceback (most recent call last):',
  '  File "/app/main.py", line 10, in <module>',
  '    main()',
  '  File "/app/main.py", line 6, in main',
  '    1 / 0',
  'ZeroDivisionError: division by zero',
  'INFO next line',
]

const GO = [
  'panic: runtime error: index out of range [3] with length 3',
  '',
  'goroutine 1 [running]:',
  'main.lookup(...)',
  '\t/app/main.go:12',
  'main.main()',
  '\t/app/main.go:20 +0x1d',
  'exit status 2',
]

describe('regex multiline parsers', () => {
  test('java: exception with frames and Caused by is one record, the next line another', () => {
    const j = joiner(['java'])
    const out = pushAll(j, JAVA)
    assert.deepEqual(
      out.map((e) => e.body.log),
      [JAVA[0], JAVA.slice(1, 7).join('\n'), JAVA[7]],
    )
    assert.equal(j.pending(), 0)
  })

  test('python: the traceback ends with the exception line', () => {
    const out = pushAll(joiner(['python']), PYTHON)
    assert.deepEqual(
      out.map((e) => e.body.log),
      [PYTHON.slice(0, 6).join('\n'), 'INFO next line'],
    )
  })

  test('go: a panic with its goroutine dump is one record', () => {
    const j = joiner(['go'])
    const out = pushAll(j, GO)
    assert.deepEqual(
      out.map((e) => e.body.log),
      [GO.slice(0, 7).join('\n'), 'exit status 2'],
    )
  })

  test('ruby: an error with from lines', () => {
    const lines = [
      "/app/lib/a.rb:3:in `divide': divided by 0 (ZeroDivisionError)",
      "\tfrom /app/lib/a.rb:3:in `/'",
      "\tfrom /app/main.rb:7:in `<main>'",
      'done',
    ]
    const out = pushAll(joiner(['ruby']), lines)
    assert.deepEqual(
      out.map((e) => e.body.log),
      [lines.slice(0, 3).join('\n'), 'done'],
    )
  })

  test('a stack trace waiting for more lines flushes on timeout with the first line time', () => {
    const j = joiner(['java'])
    j.now = () => 0
    j.push(raw(JAVA[1]!, 7), 'f')
    j.push(raw(JAVA[2]!, 8), 'f')
    const out = j.flushExpired(4000)
    assert.deepEqual(out, [{ sec: 7, nsec: 0, body: { log: `${JAVA[1]}\n${JAVA[2]}` } }])
  })

  test('key_content names the field to join; other keys come from the first record', () => {
    const j = joiner(['python'], { keyContent: 'message' })
    const out: LogEvent[] = []
    for (const [i, l] of PYTHON.entries()) {
      out.push(...j.push({ sec: i, nsec: 0, body: { message: l, level: `l${i}` } }, 'g'))
    }
    assert.deepEqual(out[0]!.body, { message: PYTHON.slice(0, 6).join('\n'), level: 'l0' })
  })

  test('lines that already end with a newline (Docker `log`) are not doubled', () => {
    const j = joiner(['java'])
    const out = pushAll(j, [`${JAVA[1]}\n`, `${JAVA[2]}\n`, 'done\n'])
    assert.deepEqual(
      out.map((e) => e.body.log),
      [`${JAVA[1]}\n${JAVA[2]}\n`, 'done\n'],
    )
  })

  test('records without the content key pass unchanged', () => {
    const j = joiner(['java'])
    const e = { sec: 1, nsec: 0, body: { other: 1 } }
    assert.deepEqual(j.push(e, 'g'), [e])
  })
})

describe('custom [MULTILINE_PARSER]', () => {
  test('rules from a section join lines', () => {
    const { registry: r, diagnostics } = createMultilineRegistry([
      {
        kind: 'multiline_parser',
        loc: { file: 'parsers.conf', line: 1 },
        entries: [
          { key: 'name', value: 'multiline-regex-test' },
          { key: 'type', value: 'regex' },
          { key: 'flush_timeout', value: '1000' },
        ],
        rules: [
          { state: 'start_state', regex: '/([a-zA-Z]+ \\d+ \\d+\\:\\d+\\:\\d+)(.*)/', next: 'cont' },
          { state: 'cont', regex: '/^\\s+at.*/', next: 'cont' },
        ],
      },
    ])
    assert.deepEqual(diagnostics, [])
    assert.ok(r.has('multiline-regex-test'))
    const j = r.create(['multiline-regex-test']) as Joiner
    const out = pushAll(j, [
      'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!',
      '    at com.myproject.module.MyProject.badMethod(MyProject.java:22)',
      '    at com.myproject.module.MyProject.main(MyProject.java:6)',
      'single line...',
    ])
    assert.equal(out.length, 2)
    assert.equal(String(out[0]!.body.log).split('\n').length, 3)
    assert.equal(out[1]!.body.log, 'single line...')
  })

  test('a bad regex and a missing start state are diagnostics naming the section', () => {
    const { diagnostics, registry: r } = createMultilineRegistry([
      {
        kind: 'multiline_parser',
        loc: { file: 'p.conf', line: 3 },
        entries: [{ key: 'name', value: 'bad' }],
        rules: [{ state: 'start_state', regex: '/(unclosed/', next: 'x' }],
      },
      {
        kind: 'multiline_parser',
        loc: { file: 'p.conf', line: 9 },
        entries: [{ key: 'name', value: 'nostart' }],
        rules: [{ state: 'cont', regex: '/x/', next: 'cont' }],
      },
    ])
    assert.equal(diagnostics.length, 2)
    assert.match(diagnostics[0]!.message, /cannot compile rule #1.*unclosed/)
    assert.equal(diagnostics[0]!.line, 3)
    assert.match(diagnostics[1]!.message, /no rule has the state 'start_state'/)
    assert.equal(r.has('bad'), false)
  })

  test('unknown names are a precise error', () => {
    assert.throws(() => registry.create(['jav']), /unknown multiline parser 'jav'/)
  })
})

describe('custom parser with a pre-parser', () => {
  test('the [PARSER] named by `parser` is applied first, then the rules match key_content', () => {
    const section = {
      kind: 'multiline_parser' as const,
      loc: { file: 'p.conf', line: 1 },
      entries: [
        { key: 'name', value: 'json-java' },
        { key: 'parser', value: 'json' },
        { key: 'key_content', value: 'message' },
      ],
      rules: [
        { state: 'start_state', regex: '/Exception/', next: 'cont' },
        { state: 'cont', regex: '/^\\s+at /', next: 'cont' },
      ],
    }
    const json = {
      name: 'json',
      format: 'json',
      parse: (t: string) => {
        try {
          return { body: JSON.parse(t) as Record<string, unknown> }
        } catch {
          return null
        }
      },
    }
    const { registry: r, diagnostics } = createMultilineRegistry([section], { get: () => json, names: () => ['json'] })
    assert.deepEqual(diagnostics, [])
    const j = r.create(['json-java']) as Joiner
    const out = pushAll(j, [
      JSON.stringify({ message: 'java.lang.Exception: x', level: 'error' }),
      JSON.stringify({ message: '    at a.b(C.java:1)', level: 'error' }),
    ])
    assert.deepEqual(out, [])
    assert.deepEqual(j.flushAll()[0]!.body, { message: 'java.lang.Exception: x\n    at a.b(C.java:1)', level: 'error' })
    const { diagnostics: d2 } = createMultilineRegistry([section])
    assert.match(d2[0]!.message, /cannot be resolved/)
  })
})

describe('mixed content with several parsers (go, then a custom regex parser)', () => {
  test('single lines, a custom Java-like trace and a Go panic with several goroutines come out as five records', () => {
    const { registry: r } = createMultilineRegistry([
      {
        kind: 'multiline_parser',
        loc: { file: 'parsers_multiline.conf', line: 1 },
        entries: [
          { key: 'name', value: 'dated-trace' },
          { key: 'type', value: 'regex' },
          { key: 'flush_timeout', value: '1000' },
        ],
        rules: [
          { state: 'start_state', regex: '/([a-zA-Z]+ \\d+ \\d+\\:\\d+\\:\\d+)(.*)/', next: 'cont' },
          { state: 'cont', regex: '/^\\s+at.*/', next: 'cont' },
        ],
      },
    ])
    const trace = [
      'Nov 22 07:30:01 Exception in thread "worker-3" java.lang.IllegalStateException: queue closed',
      '    at com.shop.queue.Consumer.poll(Consumer.java:57)',
      '    at com.shop.queue.Consumer.run(Consumer.java:31)',
    ]
    const panic = [
      'panic: assignment to entry in nil map',
      '',
      'goroutine 7 [running]:',
      'main.(*Cache).Put(0x0, {0x4c1a2b, 0x3})',
      '\t/src/cache.go:41 +0x5a',
      'created by main.startWorkers',
      '\t/src/main.go:22 +0x3e',
      '',
      'goroutine 1 [chan receive]:',
      'main.main()',
      '\t/src/main.go:30 +0x95',
    ]
    const j = r.create(['go', 'dated-trace']) as Joiner
    const out = pushAll(j, ['first single line', ...trace, 'between', ...panic, 'after the panic'])
    out.push(...j.flushAll())
    assert.deepEqual(
      out.map((e) => e.body.log),
      ['first single line', trace.join('\n'), 'between', panic.join('\n'), 'after the panic'],
    )
  })
})

describe('pushOne (the fast path tail takes for raw lines)', () => {
  const lines = [
    '2026-11-22T07:30:00.1Z stdout F one',
    '2026-11-22T07:30:00.2Z stdout P two-a ',
    '2026-11-22T07:30:00.3Z stderr F err while two is pending',
    '2026-11-22T07:30:00.4Z stdout F two-b',
    '{"log":"docker line\\n","stream":"stdout","time":"2026-11-22T07:30:00.5Z"}',
    '{"log":"docker part ","stream":"stderr","time":"2026-11-22T07:30:00.6Z"}',
    '{"log":"end\\n","stream":"stderr","time":"2026-11-22T07:30:00.7Z"}',
    'not a CRI or Docker line',
    '2026-11-22T07:30:00.8Z stdout F three',
  ]
  const group = (l: string) => (l.includes(' stderr ') || l.includes('"stderr"') ? 'err' : 'out')

  test('gives the records push() gives, and declines what push() must handle', () => {
    const plain = joiner(['docker', 'cri'])
    const want: LogEvent[] = []
    for (const l of lines) want.push(...plain.push(raw(l), group(l)))

    const fast = joiner(['docker', 'cri'])
    const got: LogEvent[] = []
    const declined: string[] = []
    for (const l of lines) {
      const one = fast.pushOne(raw(l))
      if (one !== undefined) got.push(one)
      else {
        declined.push(l)
        got.push(...fast.push(raw(l), group(l)))
      }
    }
    assert.deepEqual(got, want)
    // the partial lines, and every line while one is pending
    assert.deepEqual(declined, [lines[1], lines[2], lines[3], lines[5], lines[6]])
  })

  test('regex parsers (java, python, go) always go through push()', () => {
    assert.equal(joiner(['java']).pushOne(raw('plain line')), undefined)
    assert.equal(joiner(['cri', 'java']).pushOne(raw('2026-11-22T07:30:00.1Z stdout F x')), undefined)
  })
})

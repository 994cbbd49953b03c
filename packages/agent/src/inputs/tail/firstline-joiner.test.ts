import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { parserFrom } from '../../testing/parser-from.ts'
import { FirstlineJoiner, type FirstlineOptions } from './firstline-joiner.ts'

// The parser of the old-multiline example in Fluent Bit's tail documentation (pipeline/inputs/tail.md,
// "Multiline" / Parser_Firstline): the time, then the rest of the first line as `message`.
const firstline = parserFrom({
  Name: 'multiline',
  Format: 'regex',
  Regex: '/(?<time>Dec \\d+ \\d+\\:\\d+\\:\\d+)(?<message>.*)/',
  Time_Key: 'time',
  Time_Format: '%b %d %H:%M:%S',
})

const READ_AT = { sec: 1_700_000_000, nsec: 5 }
const line = (text: string): LogEvent => ({ ...READ_AT, body: { log: text } })

function joiner(o: Partial<FirstlineOptions> = {}, clock = { now: 0 }): FirstlineJoiner {
  return new FirstlineJoiner({ firstline, continuation: [], key: 'log', flushMs: 4000, now: () => clock.now, ...o })
}

/** Pushes lines into one group; returns every record completed, then those still held. */
function run(j: FirstlineJoiner, lines: readonly string[]): LogEvent[] {
  const out = lines.flatMap((l) => j.push(line(l), 'log'))
  return [...out, ...j.flushAll()]
}

describe('tail old multiline (Parser_Firstline)', () => {
  test("the documentation's Java stack trace becomes one record with the first line's time", () => {
    const trace = [
      'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!',
      '    at com.myproject.module.MyProject.badMethod(MyProject.java:22)',
      '    at com.myproject.module.MyProject.oneMoreMethod(MyProject.java:18)',
      '    at com.myproject.module.MyProject.anotherMethod(MyProject.java:14)',
      '    at com.myproject.module.MyProject.someMethod(MyProject.java:10)',
      '    at com.myproject.module.MyProject.main(MyProject.java:6)',
    ]
    const j = joiner()
    const held = trace.flatMap((l) => j.push(line(l), 'log'))
    assert.deepEqual(held, [], 'nothing is complete until the next first line or a flush')
    assert.equal(j.pending('log'), 6)
    const [rec, ...rest] = j.flushAll()
    assert.equal(rest.length, 0)
    assert.deepEqual(rec!.body, {
      message: ` Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!\n${trace.slice(1).join('\n')}`,
    })
    // %b %d %H:%M:%S without a year: the parser's year (its own rule, tested with the parsers); the
    // record takes that time, not the time the lines were read.
    const parsed = firstline.parse(trace[0]!)!
    assert.deepEqual([rec!.sec, rec!.nsec], [parsed.sec, parsed.nsec ?? 0])
    assert.notEqual(rec!.sec, READ_AT.sec)
    assert.equal(j.pending(), 0)
  })

  test('the next first line completes the message; lines before any first line are records of their own', () => {
    const j = joiner()
    const out = run(j, ['orphan', 'Dec 14 06:41:08 one', '  a', 'Dec 14 06:41:09 two', '  b', '  c'])
    assert.deepEqual(
      out.map((e) => e.body),
      [{ log: 'orphan' }, { message: ' one\n  a' }, { message: ' two\n  b\n  c' }],
    )
    assert.deepEqual([out[0]!.sec, out[0]!.nsec], [READ_AT.sec, READ_AT.nsec], 'an own record keeps the read time')
  })

  test('the own-record key is the tail Key', () => {
    assert.deepEqual(
      run(joiner({ key: 'msg' }), ['orphan']).map((e) => e.body),
      [{ msg: 'orphan' }],
    )
  })

  test('Parser_N fields are added to the message, and later lines append to its last field', () => {
    const cause = parserFrom({ Name: 'cause', Format: 'regex', Regex: '^Caused by: (?<cause>\\S+)(?<detail>.*)$' })
    const skip = parserFrom({ Name: 'never', Format: 'regex', Regex: '^NEVER$' })
    const out = run(joiner({ continuation: [skip, cause] }), [
      'Dec 14 06:41:08 boom',
      '  at A',
      'Caused by: java.io.IOException: disk full',
      '  at B',
    ])
    assert.deepEqual(
      out.map((e) => e.body),
      [{ message: ' boom\n  at A', cause: 'java.io.IOException:', detail: ' disk full\n  at B' }],
    )
  })

  test('a Parser_N match with no message being joined is a record of its own (not dropped)', () => {
    const cause = parserFrom({ Name: 'cause', Format: 'regex', Regex: '^Caused by: (?<cause>.*)$' })
    const out = run(joiner({ continuation: [cause] }), ['Caused by: x'])
    assert.deepEqual(
      out.map((e) => e.body),
      [{ cause: 'x' }],
    )
  })

  test('a first line whose last field is not a string: other lines complete it and stand alone, in order', () => {
    const typed = parserFrom({
      Name: 'typed',
      Format: 'regex',
      Regex: '^START (?<msg>\\w+) (?<code>\\d+)$',
      Types: 'code:integer',
    })
    const out = run(joiner({ firstline: typed }), ['START a 7', 'more', 'START b 8'])
    assert.deepEqual(
      out.map((e) => e.body),
      [{ msg: 'a', code: 7 }, { log: 'more' }, { msg: 'b', code: 8 }],
    )
  })

  test('Multiline_Flush completes a message that long after its first line, not sooner', () => {
    const clock = { now: 1000 }
    const j = joiner({ flushMs: 4000 }, clock)
    j.push(line('Dec 14 06:41:08 one'), 'log')
    clock.now = 3000
    j.push(line('  a'), 'log')
    assert.deepEqual(j.flushExpired(4999), [])
    const out = j.flushExpired(5000)
    assert.deepEqual(
      out.map((e) => e.body),
      [{ message: ' one\n  a' }],
    )
    assert.equal(j.pending(), 0)
  })

  test('stream groups are joined apart', () => {
    const j = joiner()
    j.push(line('Dec 14 06:41:08 out'), 'stdout')
    j.push(line('Dec 14 06:41:08 err'), 'stderr')
    j.push(line('  o'), 'stdout')
    j.push(line('  e'), 'stderr')
    assert.equal(j.pending('stdout'), 2)
    assert.deepEqual(
      j.flushAll('stderr').map((e) => e.body),
      [{ message: ' err\n  e' }],
    )
    assert.deepEqual(
      j.flushAll().map((e) => e.body),
      [{ message: ' out\n  o' }],
    )
  })

  test('a __proto__ field from Parser_N is stored as a field, not as the prototype', () => {
    const json = parserFrom({ Name: 'j', Format: 'json' })
    const out = run(joiner({ continuation: [json] }), ['Dec 14 06:41:08 x', '{"__proto__":{"polluted":1}}'])
    const body = out[0]!.body
    assert.equal(Object.getPrototypeOf(body), Object.prototype)
    assert.deepEqual(Object.keys(body), ['message', '__proto__'])
  })
})

import assert from 'node:assert/strict'
import type { FileHandle } from 'node:fs/promises'
import { test } from 'node:test'
import { type LineConfig, splitChunk, streamGroup } from './split-lines.ts'
import { TailFile } from './tail-file.ts'

const file = (offset = 0) =>
  new TailFile({
    path: '/x.log',
    dev: 1,
    ino: 2,
    fh: {} as FileHandle,
    tag: 't',
    offset,
    fp: { len: 0, hash: '' },
    dbId: undefined,
    onCommit: () => {},
  })

const cfg = (over: Partial<LineConfig> = {}): LineConfig => ({
  key: 'log',
  pathKey: undefined,
  offsetKey: undefined,
  skipEmpty: false,
  maxLine: 32768,
  longLines: 'skip',
  parser: undefined,
  decoder: undefined,
  ...over,
})

test('splitChunk: complete lines become records; the partial rest is left; offsets are absolute', () => {
  const f = file(100)
  const buf = Buffer.from('a\nbc\nde')
  const r = splitChunk(f, buf, buf.length, cfg({ offsetKey: 'o' }))
  assert.deepEqual(
    r.events.map((e) => e.body),
    [
      { o: 100, log: 'a' },
      { o: 102, log: 'bc' },
    ],
  )
  assert.equal(r.end, 105)
})

test('splitChunk: only the first n bytes of a reused buffer count', () => {
  const buf = Buffer.from('a\nSTALE\n')
  const r = splitChunk(file(), buf, 3, cfg())
  assert.deepEqual(
    r.events.map((e) => e.body.log),
    ['a'],
  )
  assert.equal(r.end, 2)
})

test('splitChunk: leading NUL bytes (copytruncate hole) are skipped', () => {
  const buf = Buffer.from('\0\0\0x\n')
  const r = splitChunk(file(), buf, buf.length, cfg())
  assert.deepEqual(
    r.events.map((e) => e.body.log),
    ['x'],
  )
})

test('truncate_long_lines cuts at a UTF-8 character boundary', () => {
  const buf = Buffer.from(`${'é'.repeat(10)}\nok\n`) // 20 bytes of 2-byte characters
  const r = splitChunk(file(), buf, buf.length, cfg({ maxLine: 5, longLines: 'truncate' }))
  assert.deepEqual(
    r.events.map((e) => e.body.log),
    ['éé', 'ok'],
  )
  assert.deepEqual(r.long, [{ offset: 0, action: 'truncate' }])
})

test('stop policy reports the offset of the long line and consumes nothing from it', () => {
  const buf = Buffer.from(`a\n${'x'.repeat(20)}\nb\n`)
  const r = splitChunk(file(10), buf, buf.length, cfg({ maxLine: 5, longLines: 'stop' }))
  assert.deepEqual(
    r.events.map((e) => e.body.log),
    ['a'],
  )
  assert.equal(r.stoppedAt, 12)
  assert.equal(r.end, 12)
})

test('UTF-16 truncation never splits a surrogate pair', () => {
  const f = file()
  f.utf16 = 'le'
  const buf = Buffer.from('ab😀cd\n', 'utf16le') // a b (2+2) then a surrogate pair (4)
  const r = splitChunk(f, buf, buf.length, cfg({ maxLine: 6, longLines: 'truncate' }))
  assert.deepEqual(
    r.events.map((e) => e.body.log),
    ['ab'],
  )
})

test('streamGroup: CRI and Docker JSON lines by stream, anything else in one group', () => {
  assert.equal(streamGroup('2026-11-22T07:30:00.1Z stdout P hello'), 'stdout')
  assert.equal(streamGroup('2026-11-22T07:30:00.1Z stderr F x'), 'stderr')
  assert.equal(streamGroup('{"log":"x\\n","stream":"stderr","time":"t"}'), 'stderr')
  assert.equal(streamGroup('java.lang.Exception: boom'), 'log')
})

test('non-ASCII chunks: offsets stay byte offsets and CRLF is stripped', () => {
  const buf = Buffer.from('héllo\r\nwörld\nascii\n')
  const r = splitChunk(file(0), buf, buf.length, cfg({ offsetKey: 'o' }))
  assert.deepEqual(
    r.events.map((e) => e.body),
    [
      { o: 0, log: 'héllo' },
      { o: 8, log: 'wörld' },
      { o: 15, log: 'ascii' },
    ],
  )
  assert.equal(r.end, buf.length)
})

test('ASCII chunks: skip and truncate of long lines inside the chunk', () => {
  const buf = Buffer.from(`a\n${'x'.repeat(9)}\nb\r\n`)
  const skip = splitChunk(file(), buf, buf.length, cfg({ maxLine: 5, longLines: 'skip', offsetKey: 'o' }))
  assert.deepEqual(
    skip.events.map((e) => e.body),
    [
      { o: 0, log: 'a' },
      { o: 12, log: 'b' },
    ],
  )
  assert.deepEqual(skip.long, [{ offset: 2, action: 'skip' }])
  const trunc = splitChunk(file(), buf, buf.length, cfg({ maxLine: 5, longLines: 'truncate' }))
  assert.deepEqual(
    trunc.events.map((e) => e.body.log),
    ['a', 'xxxxx', 'b'],
  )
})

test('ASCII chunks (one Latin-1 decode) and other chunks give the lines a per-line UTF-8 decode gives', () => {
  let seed = 3
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  // Latin-1 range (é, ÿ), other scripts, an invalid UTF-8 byte, CR, empty lines.
  const pieces = [
    Buffer.from('plain text '),
    Buffer.from('é'),
    Buffer.from('ÿ日本'),
    Buffer.from([0xff]),
    Buffer.from('\r'),
  ]
  for (let k = 0; k < 300; k++) {
    const parts: Buffer[] = []
    const ascii = k % 2 === 0
    for (let l = 0; l < 1 + Math.floor(rnd() * 8); l++) {
      for (let p = Math.floor(rnd() * 4); p > 0; p--) parts.push(pieces[ascii ? 0 : Math.floor(rnd() * pieces.length)]!)
      parts.push(Buffer.from(rnd() < 0.2 ? '\r\n' : '\n'))
    }
    parts.push(Buffer.from('partial'))
    const buf = Buffer.concat(parts)
    const r = splitChunk(file(), buf, buf.length, cfg({ offsetKey: 'o' }))
    const expected: Record<string, unknown>[] = []
    let pos = 0
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, pos)) {
      const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl
      expected.push({ o: pos, log: buf.subarray(pos, end).toString('utf8') })
      pos = nl + 1
    }
    assert.deepEqual(
      r.events.map((e) => e.body),
      expected,
      JSON.stringify(buf.toString('latin1')),
    )
    assert.equal(r.end, pos)
  }
})

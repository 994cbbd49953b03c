import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, test } from 'node:test'
import type { Body } from '@sluice/core/record.ts'
import { mergeGeneral, shapeMerger } from './merge.ts'

/** Same keys in the same order, same values, same prototype. */
function assertSame(actual: Body, expected: Body, what: string): void {
  assert.deepEqual(Object.keys(actual), Object.keys(expected), what)
  assert.deepStrictEqual(actual, expected, what)
  assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected), what)
}

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Keys that are awkward in generated code or in property order: quotes, backslashes, line
// separators, non-ASCII, lone surrogates, array indexes, Object.prototype names.
const KEYS = [
  'time',
  'stream',
  'logtag',
  'log',
  'level',
  'msg',
  'a"b',
  'back\\slash',
  'line\u2028sep',
  'ünï',
  '日本',
  '\ud800lone',
  '0',
  '7',
  '42',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  'x-y.z',
]
const VALUES: unknown[] = ['v', '', 0, -1.5, true, null, { n: 1 }, [1, 'a'], 'ü\n"']

function randomBody(r: () => number, n: number): Body {
  const b: Body = {}
  for (let i = 0; i < n; i++) b[KEYS[Math.floor(r() * KEYS.length)]!] = VALUES[Math.floor(r() * VALUES.length)]
  return b
}

describe('Reserve_Data merge', () => {
  test('keeps the record fields without the key, then the parsed ones; a parsed field takes its name’s place', () => {
    const merge = shapeMerger('log')
    for (let i = 0; i < 3; i++) {
      const out = merge({ time: 't', log: '{…}', stream: 'stdout' }, { level: 'info', time: 'parsed' })
      assert.deepEqual(Object.entries(out), [
        ['time', 'parsed'],
        ['stream', 'stdout'],
        ['level', 'info'],
      ])
    }
  })

  test('the fast path gives the general result for random shapes (repeated, so they get compiled)', () => {
    const r = rng(7)
    const stats = { compiled: 0 }
    const merge = shapeMerger('log', stats)
    // A small pool of shapes seen many times (the compiled path) plus fresh ones (the general path).
    const pool = Array.from({ length: 24 }, () => [
      randomBody(r, 1 + Math.floor(r() * 6)),
      randomBody(r, Math.floor(r() * 7)),
    ])
    // Each pool shape twice in a row gets compiled (more shapes than are kept: some are dropped again).
    for (const [o, p] of pool)
      for (let k = 0; k < 2; k++) assertSame(merge(o!, p!), mergeGeneral(o!, p!, 'log'), 'warm-up')
    assert.ok(stats.compiled >= 20, `compiled ${stats.compiled}`)
    for (let i = 0; i < 3000; i++) {
      const [o, p] = r() < 0.8 ? pool[Math.floor(r() * pool.length)]! : [randomBody(r, 5), randomBody(r, 5)]
      // Same keys, new values: a compiled shape must read the values of this record.
      const old = Object.fromEntries(Object.keys(o!).map((k) => [k, `${k}#${i}`]))
      const parsed = Object.fromEntries(Object.entries(p!).map(([k, v]) => [k, i % 2 ? v : { i }]))
      assertSame(merge(old, parsed), mergeGeneral(old, parsed, 'log'), `case ${i}`)
    }
    assert.ok(stats.compiled > 24, `compiled ${stats.compiled}`)
  })

  test('a `__proto__` field stays on the general path (a literal would set the prototype)', () => {
    const merge = shapeMerger('log')
    for (let i = 0; i < 3; i++) {
      const old: Body = { log: 'x', a: 1 }
      Object.defineProperty(old, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true })
      const parsed = JSON.parse('{"__proto__":{"polluted":1},"b":2}') as Body
      const out = merge(old, parsed)
      assertSame(out, mergeGeneral(old, parsed, 'log'), `case ${i}`)
      assert.equal(Object.hasOwn(out, 'polluted'), false)
    }
  })

  test('a record without the key, an empty parse, and values of every JSON type', () => {
    const merge = shapeMerger('log')
    const cases: [Body, Body][] = [
      [{ a: 1 }, {}],
      [{ log: 'x' }, {}],
      [{}, { b: [1, { c: null }] }],
      [
        { log: 'x', n: 1 },
        { n: 'over', m: false },
      ],
    ]
    for (let i = 0; i < 4; i++)
      for (const [o, p] of cases) assertSame(merge(o, p), mergeGeneral(o, p, 'log'), JSON.stringify([o, p]))
  })

  test('more shapes than are kept: every record still merges correctly', () => {
    const merge = shapeMerger('log')
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < 40; s++) {
        const old: Body = { [`k${s}`]: s, log: 'x' }
        const parsed: Body = { [`p${s}`]: round, [`k${s}`]: 'over' }
        for (let rep = 0; rep < 2; rep++)
          assertSame(merge(old, parsed), mergeGeneral(old, parsed, 'log'), `${round}/${s}`)
      }
    }
  })
  test('shapes that alternate record by record get compiled', () => {
    const stats = { compiled: 0 }
    const merge = shapeMerger('log', stats)
    const pairs: [Body, Body][] = [
      [{ time: 't', log: 'x' }, { a: 1 }],
      [{ time: 't', log: 'x' }, { b: 1 }],
      [{ time: 't', log: 'x' }, { c: 1 }],
    ]
    for (let i = 0; i < 30; i++) {
      const [o, p] = pairs[i % 3]!
      assertSame(merge(o, p), mergeGeneral(o, p, 'log'), `case ${i}`)
    }
    assert.equal(stats.compiled, 3)
  })
  test('without code generation (--disallow-code-generation-from-strings) the general paths run', () => {
    const script = `
      import { shapeMerger } from ${JSON.stringify(new URL('./merge.ts', import.meta.url).href)}
      import { stockParsers } from ${JSON.stringify(new URL('../../parsers/index.ts', import.meta.url).href)}
      const merge = shapeMerger('log')
      const out = []
      for (let i = 0; i < 3; i++) out.push(merge({ t: 1, log: 'x' }, { a: i }))
      out.push(stockParsers().get('cri').parse('2026-11-22T07:30:00.5Z stdout F hi').body)
      console.log(JSON.stringify(out))`
    const text = execFileSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    )
    assert.deepEqual(JSON.parse(text), [
      { t: 1, a: 0 },
      { t: 1, a: 1 },
      { t: 1, a: 2 },
      { time: '2026-11-22T07:30:00.5Z', stream: 'stdout', logtag: 'F', message: 'hi' },
    ])
  })
})

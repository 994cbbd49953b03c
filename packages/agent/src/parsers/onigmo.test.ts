import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { splitRubyRegex, translateRegex } from './onigmo.ts'

function groups(pattern: string, text: string): Record<string, string | undefined> | null {
  const r = translateRegex(pattern)
  if ('error' in r) throw new Error(r.error)
  const m = r.regex.exec(text)
  if (!m) return null
  return Object.fromEntries(r.names.map((n) => [n.name, m[n.index]]))
}

describe('translateRegex (Onigmo → JavaScript)', () => {
  it('runs ordinary named-group patterns unchanged', () => {
    assert.deepEqual(groups('^(?<a>\\w+) (?<b>\\d+)$', 'hello 42'), { a: 'hello', b: '42' })
  })

  it('strips /pattern/ and applies /i', () => {
    assert.deepEqual(splitRubyRegex('/^a$/'), { pattern: '^a$', options: '' })
    assert.deepEqual(splitRubyRegex('/^a$/i'), { pattern: '^a$', options: 'i' })
    assert.deepEqual(splitRubyRegex('^a/b$'), { pattern: '^a/b$', options: '' })
    assert.deepEqual(groups('/^(?<x>abc)$/i', 'ABC'), { x: 'ABC' })
  })

  it('keeps \\s to ASCII whitespace, as Ruby does', () => {
    assert.deepEqual(groups('(?<a>\\S+)\\s(?<b>\\S+)', 'x\u00a0y z'), { a: 'x\u00a0y', b: 'z' })
    assert.deepEqual(groups('(?<a>[\\s]+)', 'a \t b'), { a: ' \t ' })
  })

  it('translates \\h, \\A, \\z and \\Z', () => {
    assert.deepEqual(groups('(?<hex>\\h+)', 'zz=00ff'), { hex: '00ff' })
    assert.equal(groups('\\A(?<x>b)', 'ab'), null)
    assert.deepEqual(groups('(?<x>b)\\z', 'ab'), { x: 'b' })
    assert.equal(groups('(?<x>b)\\z', 'ab\n'), null)
    assert.deepEqual(groups('(?<x>b)\\Z', 'ab\n'), { x: 'b' })
  })

  it('keeps Ruby line anchors: ^ and $ work per line, \\r is not a line break', () => {
    assert.deepEqual(groups('^(?<x>second)$', 'first\nsecond'), { x: 'second' })
    assert.equal(groups('^(?<x>a)$', 'a\r'), null)
    assert.deepEqual(groups('^(?<x>.*)$', 'a\rb\nc'), { x: 'a\rb' })
  })

  it('scopes inline options to the end of their group, alternatives included', () => {
    assert.deepEqual(groups('(?i)(?<x>abc)', 'xABC'), { x: 'ABC' })
    assert.deepEqual(groups('a(?i)(?<x>b|c)', 'aC'), { x: 'C' })
    assert.equal(groups('(?:a(?i)b)c', 'aBC'), null)
    assert.deepEqual(groups('(?<x>(?i:b)c)', 'Bc'), { x: 'Bc' })
    assert.deepEqual(groups('(?m:(?<x>a.b))', 'a\nb'), { x: 'a\nb' })
    assert.equal(groups('(?<x>a.b)', 'a\nb'), null)
  })

  it('emulates atomic groups and possessive quantifiers', () => {
    assert.equal(groups('^(?<x>(?>a+))a$', 'aaa'), null)
    assert.deepEqual(groups('^(?<x>(?>a+))b$', 'aab'), { x: 'aa' })
    assert.equal(groups('^(?<x>a++)a$', 'aaa'), null)
    // Groups inside an atomic group still backtrack while the atomic group is being matched.
    assert.deepEqual(groups('^(?<x>(?>x(?<y>a+)a))$', 'xaaa'), { x: 'xaaa', y: 'aa' })
    assert.deepEqual(groups('^(?<x>a*+)(?<y>b)$', 'aab'), { x: 'aa', y: 'b' })
  })

  it('translates POSIX brackets and a leading ] in a class', () => {
    assert.deepEqual(groups('(?<x>[[:alpha:]]+)', '12abc34'), { x: 'abc' })
    assert.deepEqual(groups('(?<x>[]a]+)', 'x]a]'), { x: ']a]' })
  })

  it('does not capture plain groups when named groups exist (Ruby rule)', () => {
    const r = translateRegex('(a)(?<x>b)')
    assert.ok(!('error' in r))
    assert.deepEqual(r.names, [{ name: 'x', index: 1 }])
  })

  it('removes (?#…) comments and supports the x option', () => {
    assert.deepEqual(groups('(?<x>a)(?# a comment )b', 'ab'), { x: 'a' })
    assert.deepEqual(groups('/(?<x> a ) # letter a\n b/x', 'ab'), { x: 'a' })
  })

  it('refuses with a reason what JavaScript cannot run', () => {
    for (const [p, why] of [
      ['(?<x>a)\\K', /\\K/],
      ['(?<x>a)\\g<x>', /subexpression/],
      ['(?<x>\\p{Alpha})', /Unicode properties/],
      ['(?<x>[a-z&&[^aeiou]])', /intersection/],
      ['(?<x>a', /unbalanced/],
      ['(?<x>a))', /unbalanced/],
      ['(?<x>(?~abc))', /absent/],
    ] as const) {
      const r = translateRegex(p)
      assert.ok('error' in r, p)
      assert.match(r.error, why)
    }
  })
})

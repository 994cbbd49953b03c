// Property: on patterns that mean the same in Ruby and JavaScript (no Ruby-only syntax) and texts
// without `\r` or Unicode spaces, the translated RegExp finds the same named captures as the pattern
// run directly by JavaScript with the `m` flag. Catches translation slips (anchors, dots, classes,
// group numbering, quantifiers).

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { translateRegex } from './onigmo.ts'

type Node = string

function patternArb(): fc.Arbitrary<Node> {
  let n = 0
  const atom = fc.constantFrom('a', 'b', ' ', '1', '.', '\\d', '\\w', '\\s', '[ab]', '[^a ]', '[a-c1]', '\\.', '^', '$')
  const { tree } = fc.letrec<{ tree: Node; seq: Node; quant: Node }>((tie) => ({
    quant: fc
      .tuple(
        fc.oneof({ depthSize: 'small' }, atom, tie('tree')),
        fc.constantFrom('', '', '*', '+', '?', '{1,2}', '*?', '+?'),
      )
      .map(([a, q]) => (a === '^' || a === '$' ? a : a + q)),
    seq: fc.array(tie('quant'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('')),
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('seq').map((s) => `(?<g${n++}>${s})`),
      tie('seq').map((s) => `(?:${s})`),
      fc.tuple(tie('seq'), tie('seq')).map(([x, y]) => `(?:${x}|${y})`),
    ),
  }))
  return fc.tuple(tree, fc.array(tree, { maxLength: 2 })).map(([t, ts]) => [t, ...ts].join(''))
}

describe('translateRegex (property)', () => {
  it('finds the same named captures as JavaScript on portable patterns', () => {
    fc.assert(
      fc.property(
        patternArb(),
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '.', '\n', 'c'), maxLength: 12 }),
        (p, text) => {
          let native: RegExp
          try {
            native = new RegExp(p, 'm')
          } catch {
            return true // not a valid pattern for either engine
          }
          const tr = translateRegex(p)
          if ('error' in tr) return false
          const a = native.exec(text)
          const b = tr.regex.exec(text)
          assert.equal(b === null, a === null, `${p} on ${JSON.stringify(text)}`)
          if (a && b) {
            assert.equal(b.index, a.index)
            for (const { name, index } of tr.names) assert.equal(b[index], a.groups?.[name], `${p} group ${name}`)
          }
          return true
        },
      ),
      { numRuns: 3000, seed: 7 },
    )
  })
})

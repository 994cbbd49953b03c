import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Section } from '@sluice/core/config/model.ts'
import { criSplitter, looksLikeCriLine } from './cri-fast-path.ts'
import { createParserRegistry } from './index.ts'

function registryOf(parsers: Record<string, Record<string, string>>) {
  const sections: Section[] = Object.entries(parsers).map(([name, e], n) => ({
    kind: 'parser',
    loc: { file: 'p.conf', line: n * 10 + 1 },
    entries: Object.entries({ Name: name, ...e }).map(([key, value]) => ({ key, value })),
  }))
  const { registry, diagnostics } = createParserRegistry(sections)
  assert.deepEqual(diagnostics, [])
  return registry
}

// A small deterministic PRNG so a failure can be reproduced.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

describe('CRI fast path', () => {
  it('recognises the stock pattern and its variants, not others', () => {
    const names = ['time', 'stream', 'logtag', 'message']
    assert.ok(criSplitter('^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$', names))
    assert.ok(criSplitter('^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>P|F) (?<log>.*)$', names))
    assert.equal(
      criSplitter('^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$(?:)', names),
      undefined,
    )
    assert.equal(criSplitter('^(?<time>[^ ]+) (?<message>.*)$', ['time', 'message']), undefined)
  })

  it('recognises CRI lines (to warn when a docker parser reads containerd files)', () => {
    assert.equal(looksLikeCriLine('2026-11-22T07:30:00.123456789Z stdout F hello'), true)
    assert.equal(looksLikeCriLine('2026-11-22T16:30:00+09:00 stderr P part'), true)
    assert.equal(looksLikeCriLine('{"log":"hello\\n","stream":"stdout","time":"2026-11-22T07:30:00Z"}'), false)
    assert.equal(looksLikeCriLine('2026-11-22 07:30:00 INFO hello'), false)
  })

  for (const [label, logtag, message, extra] of [
    ['stock cri', '[^ ]*', '.*', {}],
    ['crio (seed 001)', 'P|F', '.*', {}],
    ['non-empty variants', '[^ ]+', '.+', {}],
    // Time_Keep (the stock cri parser) and no time at all take the object-literal path.
    ['Time_Keep', '[^ ]*', '.*', { Time_Keep: 'On' }],
    ['Time_Keep, empty values kept', '[^ ]*', '.*', { Time_Keep: 'On', Skip_Empty_Values: 'Off' }],
    ['no Time_Format', '[^ ]*', '.*', { Time_Format: undefined }],
  ] as const) {
    it(`gives the same records as the regex on many lines: ${label}`, () => {
      const base = `^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>${logtag}) (?<log>${message})`
      const common = Object.fromEntries(
        Object.entries({ Format: 'regex', Time_Key: 'time', Time_Format: '%Y-%m-%dT%H:%M:%S.%L%z', ...extra }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      )
      const reg = registryOf({
        fast: { ...common, Regex: `${base}$` },
        slow: { ...common, Regex: `${base}$(?:)` },
      })
      const fast = reg.get('fast')!
      const slow = reg.get('slow')!
      const r = rng(42)
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!
      const times = [
        '2026-11-22T07:30:00.123456789Z',
        '2026-11-22T16:30:00.5+09:00',
        'bad-time',
        '',
        '2026-11-22T07:30:00Z',
      ]
      const streams = ['stdout', 'stderr', 'stdin', 'stdoutx', '']
      const tags = ['F', 'P', '', 'PF', 'x']
      const msgs = ['hello world', '', ' ', '{"a":1}', 'tab\there', 'cr\rhere', 'line\nbreak', 'ünïcødé ✓', '  lead']
      for (let k = 0; k < 5000; k++) {
        const parts = [pick(times), pick(streams), pick(tags), pick(msgs)]
        const sep = () => (r() < 0.95 ? ' ' : pick(['', '  ', '\t']))
        const line = parts[0] + sep() + parts[1] + sep() + parts[2] + sep() + parts[3]
        const [a, b] = [fast.parse(line), slow.parse(line)]
        assert.deepEqual(a, b, JSON.stringify(line))
        if (a && b) assert.deepEqual(Object.keys(a.body), Object.keys(b.body), JSON.stringify(line))
      }
    })
  }
})

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import grep from './index.ts'

const records = [
  { log: 'GET /healthz 200', kubernetes: { labels: { app: 'web' } }, status: 200 },
  { log: 'GET /api/orders 500', kubernetes: { labels: { app: 'api' } }, status: 500 },
  { log: 'GET /readyz 200', kubernetes: { labels: { app: 'api' } }, status: 200 },
  { msg: 'no log key' },
  {},
]

const cases: { name: string; opts: [string, string][]; keep: number[] }[] = [
  {
    name: 'Exclude drops matching records; missing key keeps',
    opts: [['Exclude', 'log /(healthz|readyz)']],
    keep: [1, 3, 4],
  },
  { name: 'Regex keeps matching records; missing key drops', opts: [['Regex', 'log 500']], keep: [1] },
  {
    name: 'record accessor key',
    opts: [['Regex', "$kubernetes['labels']['app'] ^api$"]],
    keep: [1, 2],
  },
  {
    name: 'legacy: Regex and Exclude both apply',
    opts: [
      ['Regex', "$kubernetes['labels']['app'] api"],
      ['Exclude', 'log readyz'],
    ],
    keep: [1],
  },
  {
    name: 'and: all Regex rules must match',
    opts: [
      ['Regex', 'log ^GET'],
      ['Regex', 'log 200$'],
      ['Logical_Op', 'and'],
    ],
    keep: [0, 2],
  },
  {
    name: 'or: any Regex rule matches',
    opts: [
      ['Regex', 'log healthz'],
      ['Regex', 'msg .'],
      ['Logical_Op', 'or'],
    ],
    keep: [0, 3],
  },
  {
    name: 'and with Exclude drops only when all match',
    opts: [
      ['Exclude', 'log ^GET'],
      ['Exclude', 'log 200$'],
      ['Logical_Op', 'AND'],
    ],
    keep: [1, 3, 4],
  },
  {
    name: 'or with Exclude drops when any matches',
    opts: [
      ['Exclude', 'log healthz'],
      ['Exclude', 'log 500'],
      ['Logical_Op', 'or'],
    ],
    keep: [2, 3, 4],
  },
  { name: 'numbers match as their text', opts: [['Regex', 'status ^5\\d\\d$']], keep: [1] },
  { name: 'a map value never matches', opts: [['Regex', 'kubernetes .']], keep: [] },
  { name: 'regex with spaces keeps the rest of the line', opts: [['Regex', 'log GET /api/orders 500']], keep: [1] },
  { name: 'no rules keeps everything', opts: [], keep: [0, 1, 2, 3, 4] },
]

describe('grep', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const h = await setupFilter(grep, c.opts)
      const out = await h.bodies(records)
      assert.deepEqual(
        out,
        c.keep.map((i) => records[i]),
      )
    })
  }

  test('documented example: Regex log aa keeps aaa and aab', async () => {
    const h = await setupFilter(grep, [['Regex', 'log aa']])
    const lines = ['aaa', 'aab', 'bbb', 'ccc', 'ddd', 'eee', 'fff', 'ggg'].map((log) => ({ log }))
    assert.deepEqual(await h.bodies(lines), [{ log: 'aaa' }, { log: 'aab' }])
  })

  test('Regex and Exclude together with and/or is a configuration error', async () => {
    await assert.rejects(
      setupFilter(grep, [
        ['Regex', 'a b'],
        ['Exclude', 'c d'],
        ['Logical_Op', 'or'],
      ]),
      /Regex and Exclude cannot be used together with Logical_Op or/,
    )
  })

  test('a bad regex names the option', async () => {
    await assert.rejects(setupFilter(grep, [['Regex', 'log (unclosed']]), /cannot configure 'regex'.*unclosed/)
  })

  test('a rule without a regex is an error', async () => {
    await assert.rejects(setupFilter(grep, [['Exclude', 'log']]), /expected KEY REGEX/)
  })

  test('a bad Logical_Op is rejected by the option table', async () => {
    await assert.rejects(setupFilter(grep, [['Logical_Op', 'xor']]), /not one of legacy, and, or/)
  })
  test('a plain-text pattern (substring fast path) keeps exactly what its regex keeps', async () => {
    const values: unknown[] = [
      'GET /healthz 200',
      'healthz',
      'HEALTHZ',
      'health z',
      '',
      'ünïcode healthz 日本',
      'a.b',
      'axb',
      'a-b /x/ 日本',
      'line\nhealthz',
      200,
      2001,
      true,
      null,
      { nested: 'healthz' },
      undefined,
    ]
    const bodies = values.map((v) => (v === undefined ? {} : { log: v }))
    // Patterns without metacharacters take the substring path; the others (and flags) the regex path.
    for (const pattern of [
      'healthz',
      '200',
      'true',
      'a-b',
      '日本',
      'health z',
      '/x/',
      '/healthz/i',
      'a.b',
      '(?i)healthz',
    ]) {
      for (const kind of ['Regex', 'Exclude']) {
        const h = await setupFilter(grep, [[kind, `log ${pattern}`]])
        const src = pattern.startsWith('/') ? pattern.slice(1, pattern.lastIndexOf('/')) : pattern.replace('(?i)', '')
        const re = new RegExp(src, /\/i$|^\(\?i\)/.test(pattern) ? 'i' : '')
        const expected = bodies.filter((b) => {
          const v = b.log
          const t = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
          const m = t === undefined ? undefined : re.test(t)
          return kind === 'Regex' ? m === true : m !== true
        })
        assert.deepEqual(await h.bodies(bodies), expected, `${kind} ${pattern}`)
      }
    }
  })
})

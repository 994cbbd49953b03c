import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseRecordAccessor, parseTemplate } from './record-accessor.ts'

const rec = () => ({
  log: 'hello',
  'log.level': 'warn',
  kubernetes: {
    namespace_name: 'shop',
    labels: { app: 'cart', 'app.kubernetes.io/name': 'cart-svc' },
    containers: [{ name: 'a' }, { name: 'b' }],
  },
  n: 0,
  nul: null,
})

describe('record accessor', () => {
  const cases: [string, unknown][] = [
    ['$log', 'hello'],
    ['$log.level', 'warn'],
    ["$kubernetes['namespace_name']", 'shop'],
    ["$kubernetes['labels']['app']", 'cart'],
    ["$kubernetes['labels']['app.kubernetes.io/name']", 'cart-svc'],
    ["$kubernetes['containers'][1]['name']", 'b'],
    ['$kubernetes["labels"]["app"]', 'cart'],
    ["$kubernetes['labels']['missing']", undefined],
    ["$log['sub']", undefined],
    ["$kubernetes['containers'][9]", undefined],
    ['$n', 0],
    ['$nul', null],
    ['$absent', undefined],
    ['log', 'hello'],
    ['toString', undefined],
  ]
  for (const [pattern, want] of cases) {
    test(`get ${pattern}`, () => assert.deepEqual(parseRecordAccessor(pattern).get(rec()), want))
  }

  test('a doubled quote inside quotes is one quote', () => {
    assert.deepEqual(parseRecordAccessor("$a['it''s']").path, ['a', "it's"])
  })

  test('set creates intermediate maps and refuses to descend into a string', () => {
    const r: Record<string, unknown> = { log: 'x' }
    assert.equal(parseRecordAccessor("$a['b']['c']").set(r, 1), true)
    assert.deepEqual(r.a, { b: { c: 1 } })
    assert.equal(parseRecordAccessor("$log['sub']").set(r, 1), false)
    assert.equal(r.log, 'x')
  })

  test('remove deletes nested keys and array items', () => {
    const r = rec()
    assert.equal(parseRecordAccessor("$kubernetes['labels']['app']").remove(r), true)
    assert.deepEqual(r.kubernetes.labels, { 'app.kubernetes.io/name': 'cart-svc' })
    assert.equal(parseRecordAccessor("$kubernetes['containers'][0]").remove(r), true)
    assert.deepEqual(r.kubernetes.containers, [{ name: 'b' }])
    assert.equal(parseRecordAccessor("$kubernetes['nope']").remove(r), false)
  })

  for (const bad of ['$', "$a['x'", '$a[x]', "$a['x']junk", "$'x'"]) {
    test(`rejects ${bad} with a precise message`, () =>
      assert.throws(() => parseRecordAccessor(bad), /cannot parse record accessor/))
  }
})

describe('template', () => {
  test('keys, tag parts, captures and literals', () => {
    const t = parseTemplate("logs.$kubernetes['namespace_name'].$TAG[1].$1-$TAG")
    const r = t.render(rec(), { tag: 'kube.var.log', groups: ['all', 'g1'] })
    assert.deepEqual(r, { text: 'logs.shop.var.g1-kube.var.log', missing: false })
  })

  test('$TAG followed by a dot is the tag, $TAGS a key', () => {
    assert.deepEqual(parseTemplate('$TAG.x.$TAGS').render({ TAGS: 'k' }, { tag: 't' }), {
      text: 't.x.k',
      missing: false,
    })
  })

  test('a missing key renders empty and is flagged', () => {
    assert.deepEqual(parseTemplate('x.$nope').render(rec()), { text: 'x.', missing: true })
  })

  test('maps do not render into text', () => {
    assert.deepEqual(parseTemplate('$kubernetes').render(rec()).missing, true)
  })

  test('numbers render as text and $ alone is literal', () => {
    assert.deepEqual(parseTemplate('n=$n $').render(rec()), { text: 'n=0 $', missing: false })
  })
})

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { countingAck, setupFilter } from '../testing.ts'
import rewriteTag from './index.ts'

const ev = (body: Record<string, unknown>) => ({ sec: 1, nsec: 0, body })

describe('rewrite_tag', () => {
  test('matching records are re-emitted under the new tag with the batch ack retained; KEEP false drops the original', async () => {
    const h = await setupFilter(rewriteTag, [['Rule', '$level ^(error|fatal)$ alerts.$1 false']])
    const ack = countingAck()
    const out = await h.run(
      [ev({ level: 'error', m: 1 }), ev({ level: 'info', m: 2 }), ev({ level: 'fatal', m: 3 })],
      'app',
      ack,
    )
    assert.deepEqual(
      out.map((e) => e.body.m),
      [2],
    )
    assert.deepEqual(
      h.ctx.emitted.map((x) => [x.tag, x.events.map((e) => e.body.m)]),
      [
        ['alerts.error', [1]],
        ['alerts.fatal', [3]],
      ],
    )
    assert.equal(ack.retained, 2)
    assert.ok(h.ctx.emitted.every((x) => x.ack === ack))
  })

  test("documented example: $tool ^(fluent)$ from.$TAG.new.$tool.$sub['s1']['s2'].out", async () => {
    const h = await setupFilter(rewriteTag, [
      ['Rule', "$tool ^(fluent)$  from.$TAG.new.$tool.$sub['s1']['s2'].out false"],
    ])
    const out = await h.run([ev({ tool: 'fluent', sub: { s1: { s2: 'bit' } } })], 'test_tag')
    assert.equal(out.length, 0)
    assert.equal(h.ctx.emitted[0]!.tag, 'from.test_tag.new.fluent.bit.out')
  })

  test('KEEP true keeps the original and emits an independent copy', async () => {
    const h = await setupFilter(rewriteTag, [['Rule', "$kubernetes['namespace_name'] ^(shop)$ ns.$1.$TAG true"]])
    const body = { kubernetes: { namespace_name: 'shop' } }
    const out = await h.run([ev(body)], 'kube.x')
    assert.equal(out.length, 1)
    assert.equal(h.ctx.emitted[0]!.tag, 'ns.shop.kube.x')
    assert.notEqual(h.ctx.emitted[0]!.events[0]!.body, out[0]!.body)
  })

  test('the first matching rule wins; $TAG[n] and record accessors in the new tag', async () => {
    const h = await setupFilter(rewriteTag, [
      ['Rule', "$app ^cart$ team.$TAG[1].$meta['team'] false"],
      ['Rule', '$app .* other false'],
    ])
    await h.run([ev({ app: 'cart', meta: { team: 'checkout' } }), ev({ app: 'web' })], 'kube.node1.x')
    assert.deepEqual(
      h.ctx.emitted.map((x) => x.tag),
      ['team.node1.checkout', 'other'],
    )
  })

  test('a missing key, non-matching value or unresolvable tag leaves the record as is', async () => {
    const h = await setupFilter(rewriteTag, [['Rule', '$app ^cart$ team.$meta false']])
    const out = await h.run([ev({ other: 1 }), ev({ app: 'web' }), ev({ app: 'cart' })], 't')
    assert.equal(out.length, 3)
    assert.equal(h.ctx.emitted.length, 0)
    assert.ok(h.ctx.lines.some((l) => /1 records matched a rule but their new tag could not be built/.test(l)))
  })

  test('bad rules are precise errors', async () => {
    await assert.rejects(setupFilter(rewriteTag, [['Rule', '$a b c']]), /expected KEY REGEX NEW_TAG KEEP/)
    await assert.rejects(setupFilter(rewriteTag, [['Rule', '$a b c maybe']]), /KEEP must be true or false/)
    await assert.rejects(setupFilter(rewriteTag, []), /missing required option 'rule'/)
  })
})

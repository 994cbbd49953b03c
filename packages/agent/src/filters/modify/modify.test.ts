import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import modify from './index.ts'

type Case = { name: string; opts: [string, string][]; in: Record<string, unknown>; out: Record<string, unknown> }

const cases: Case[] = [
  {
    name: 'documented example: Rename Key2 and Add OtherKey',
    opts: [
      ['Rename', 'Key2 RenamedKey'],
      ['Add', 'OtherKey Value3'],
    ],
    in: { Key1: 'Value1', Key2: 'Value2' },
    out: { Key1: 'Value1', RenamedKey: 'Value2', OtherKey: 'Value3' },
  },
  { name: 'Set overwrites', opts: [['Set', 'a new']], in: { a: 1 }, out: { a: 'new' } },
  { name: 'Add keeps an existing key', opts: [['Add', 'a new']], in: { a: 1 }, out: { a: 1 } },
  { name: 'Set value with spaces', opts: [['Set', 'msg hello big world']], in: {}, out: { msg: 'hello big world' } },
  { name: 'quoted key', opts: [['Set', '"my key" "v"']], in: {}, out: { 'my key': 'v' } },
  { name: 'Remove', opts: [['Remove', 'a']], in: { a: 1, b: 2 }, out: { b: 2 } },
  { name: 'Remove missing key', opts: [['Remove', 'zz']], in: { a: 1 }, out: { a: 1 } },
  {
    name: 'Remove_wildcard',
    opts: [['Remove_wildcard', 'kubernetes_*']],
    in: { kubernetes_pod: 'p', kubernetes_ns: 'n', log: 'x' },
    out: { log: 'x' },
  },
  { name: 'Remove_regex', opts: [['Remove_regex', '^tmp\\d+$']], in: { tmp1: 1, tmp22: 2, tmpx: 3 }, out: { tmpx: 3 } },
  { name: 'Rename refuses to overwrite', opts: [['Rename', 'a b']], in: { a: 1, b: 2 }, out: { a: 1, b: 2 } },
  { name: 'Hard_rename overwrites', opts: [['Hard_rename', 'a b']], in: { a: 1, b: 2, c: 3 }, out: { b: 1, c: 3 } },
  { name: 'Rename keeps position', opts: [['Rename', 'b x']], in: { a: 1, b: 2, c: 3 }, out: { a: 1, x: 2, c: 3 } },
  { name: 'Copy refuses to overwrite', opts: [['Copy', 'a b']], in: { a: 1, b: 2 }, out: { a: 1, b: 2 } },
  {
    name: 'Copy copies maps deeply',
    opts: [['Copy', 'm n']],
    in: { m: { x: [1] } },
    out: { m: { x: [1] }, n: { x: [1] } },
  },
  { name: 'Hard_copy overwrites', opts: [['Hard_copy', 'a b']], in: { a: 1, b: 2 }, out: { a: 1, b: 1 } },
  { name: 'Move_to_start', opts: [['Move_to_start', 'z*']], in: { a: 1, z1: 2, z2: 3 }, out: { z1: 2, z2: 3, a: 1 } },
  { name: 'Move_to_end', opts: [['Move_to_end', 'a']], in: { a: 1, b: 2 }, out: { b: 2, a: 1 } },
  {
    name: 'Key_exists with a record accessor',
    opts: [
      ['Condition', "Key_exists $kubernetes['namespace_name']"],
      ['Set', 'k yes'],
    ],
    in: { kubernetes: { namespace_name: 'shop' } },
    out: { kubernetes: { namespace_name: 'shop' }, k: 'yes' },
  },
  {
    name: 'Key_exists false: no change',
    opts: [
      ['Condition', 'Key_exists nope'],
      ['Set', 'k yes'],
    ],
    in: { a: 1 },
    out: { a: 1 },
  },
  {
    name: 'Key_does_not_exist',
    opts: [
      ['Condition', 'Key_does_not_exist level'],
      ['Set', 'level info'],
    ],
    in: { a: 1 },
    out: { a: 1, level: 'info' },
  },
  {
    name: 'A_key_matches',
    opts: [
      ['Condition', 'A_key_matches ^err'],
      ['Set', 'e 1'],
    ],
    in: { error: 'x' },
    out: { error: 'x', e: '1' },
  },
  {
    name: 'No_key_matches',
    opts: [
      ['Condition', 'No_key_matches ^err'],
      ['Set', 'e 1'],
    ],
    in: { error: 'x' },
    out: { error: 'x' },
  },
  {
    name: 'Key_value_equals',
    opts: [
      ['Condition', 'Key_value_equals level error'],
      ['Set', 'alert true'],
    ],
    in: { level: 'error' },
    out: { level: 'error', alert: 'true' },
  },
  {
    name: 'Key_value_equals on a number compares its text',
    opts: [
      ['Condition', 'Key_value_equals code 500'],
      ['Set', 'alert true'],
    ],
    in: { code: 500 },
    out: { code: 500, alert: 'true' },
  },
  {
    name: 'Key_value_does_not_equal needs the key',
    opts: [
      ['Condition', 'Key_value_does_not_equal level error'],
      ['Set', 'x 1'],
    ],
    in: { other: 1 },
    out: { other: 1 },
  },
  {
    name: 'Key_value_does_not_equal',
    opts: [
      ['Condition', 'Key_value_does_not_equal level error'],
      ['Set', 'x 1'],
    ],
    in: { level: 'info' },
    out: { level: 'info', x: '1' },
  },
  {
    name: 'Key_value_matches',
    opts: [
      ['Condition', 'Key_value_matches path ^/api/'],
      ['Set', 'api yes'],
    ],
    in: { path: '/api/v1' },
    out: { path: '/api/v1', api: 'yes' },
  },
  {
    name: 'Key_value_does_not_match',
    opts: [
      ['Condition', 'Key_value_does_not_match path ^/api/'],
      ['Set', 'api no'],
    ],
    in: { path: '/static' },
    out: { path: '/static', api: 'no' },
  },
  {
    name: 'Matching_keys_have_matching_values',
    opts: [
      ['Condition', 'Matching_keys_have_matching_values ^k8s_ ^prod'],
      ['Set', 'all_prod yes'],
    ],
    in: { k8s_a: 'prod-1', k8s_b: 'prod-2', other: 'dev' },
    out: { k8s_a: 'prod-1', k8s_b: 'prod-2', other: 'dev', all_prod: 'yes' },
  },
  {
    name: 'Matching_keys_have_matching_values fails when one does not',
    opts: [
      ['Condition', 'Matching_keys_have_matching_values ^k8s_ ^prod'],
      ['Set', 'all_prod yes'],
    ],
    in: { k8s_a: 'prod-1', k8s_b: 'dev' },
    out: { k8s_a: 'prod-1', k8s_b: 'dev' },
  },
  {
    name: 'Matching_keys_do_not_have_matching_values',
    opts: [
      ['Condition', 'Matching_keys_do_not_have_matching_values ^k8s_ ^prod'],
      ['Set', 'none_prod yes'],
    ],
    in: { k8s_a: 'dev', k8s_b: 'test' },
    out: { k8s_a: 'dev', k8s_b: 'test', none_prod: 'yes' },
  },
  {
    name: 'all conditions must hold',
    opts: [
      ['Condition', 'Key_exists a'],
      ['Condition', 'Key_exists b'],
      ['Set', 'both yes'],
    ],
    in: { a: 1 },
    out: { a: 1 },
  },
  { name: 'empty record', opts: [['Add', 'cluster dev']], in: {}, out: { cluster: 'dev' } },
]

describe('modify', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const h = await setupFilter(modify, c.opts)
      const [out] = await h.bodies([c.in])
      assert.deepEqual(out, c.out)
      assert.deepEqual(Object.keys(out!), Object.keys(c.out))
    })
  }

  test('rules apply in the order written, across rule kinds', async () => {
    const a = await setupFilter(modify, [
      ['Add', 'x 1'],
      ['Rename', 'x y'],
      ['Copy', 'y z'],
      ['Set', 'y 2'],
    ])
    assert.deepEqual(await a.bodies([{}]), [{ y: '2', z: '1' }])
    const b = await setupFilter(modify, [
      ['Rename', 'x y'],
      ['Add', 'x 1'],
      ['Remove', 'y'],
    ])
    assert.deepEqual(await b.bodies([{ x: 0 }]), [{ x: '1' }])
  })

  test('seed 004: Add cluster and env', async () => {
    const h = await setupFilter(modify, [
      ['Add', 'cluster eco2-dev'],
      ['Add', 'env dev'],
    ])
    assert.deepEqual(await h.bodies([{ log: 'x' }]), [{ log: 'x', cluster: 'eco2-dev', env: 'dev' }])
  })

  for (const [opts, msg] of [
    [[['Condition', 'Key_is_cool x']], /unknown condition 'Key_is_cool'/],
    [[['Condition', 'Key_value_equals onlykey']], /expects KEY VALUE/],
    [[['Rename', 'onlyone']], /expected KEY VALUE/],
    [[['Remove_regex', '(bad']], /cannot configure 'remove_regex'/],
  ] as const) {
    test(`rejects ${JSON.stringify(opts)}`, async () => {
      await assert.rejects(setupFilter(modify, opts as unknown as [string, string][]), msg)
    })
  }
})

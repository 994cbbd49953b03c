// Lazy records (driver.ts) must be invisible: for every script and record below, the results are the
// ones the eager path (plain Lua tables, the whole record decoded and compared back) gives.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import type { Body, LogEvent } from '@sluice/core/record.ts'
import { decodeOutcomes, Writer } from './codec.ts'
import { type DriverOptions, lazyRecordsSafe } from './driver.ts'
import { LuaVm } from './vm.ts'

const ecs = readFileSync(new URL('../../../../core/testdata/ecs-enrichment.lua', import.meta.url), 'utf8').replace(
  'enrich_with_ecs_fields',
  'f',
)

const scripts: Record<string, string> = {
  'seed 004 ECS enrichment': ecs,
  'pairs: upper-case every string': `function f(tag, ts, r)
    for k, v in pairs(r) do if type(v) == 'string' then r[k] = v:upper() end end
    return 2, ts, r end`,
  'pairs: delete numbers while iterating': `function f(tag, ts, r)
    for k, v in pairs(r) do if type(v) == 'number' then r[k] = nil end end
    return 2, ts, r end`,
  'pairs: count keys': `function f(tag, ts, r)
    local n = 0 for _ in pairs(r) do n = n + 1 end
    r.count = n return 2, ts, r end`,
  'nested table changed in place': `function f(tag, ts, r)
    if type(r.m) == 'table' then r.m.added = 1 end return 2, ts, r end`,
  'a new table returned, new time': `function f(tag, ts, r)
    local t = {} for k, v in pairs(r) do t['x_' .. k] = v end return 1, ts + 1, t end`,
  'split into two records': `function f(tag, ts, r) return 2, ts, { r, { copy = r.a } } end`,
  'a new key written then removed; a key removed then written back': `function f(tag, ts, r)
    r.tmp = 1; r.tmp = nil; r.a = nil; r.a = 'back'; r.b = nil return 2, ts, r end`,
  'length, ipairs, integer keys, table.insert': `function f(tag, ts, r)
    r.len = #r
    local c = 0 for _ in ipairs(r) do c = c + 1 end
    r.ip = c
    r[7] = 'seven'
    table.insert(r, 'inserted')
    return 2, ts, r end`,
  'keep (0) after changes': `function f(tag, ts, r) r.changed = true return 0, ts, r end`,
  'drop some': `function f(tag, ts, r) if r.a == 'x' then return -1, ts, r end return 2, ts, r end`,
  'an error after changes': `function f(tag, ts, r) r.z = 1 if r.a == 'x' then error('boom') end return 2, ts, r end`,
  'the previous record kept across calls': `local prev
    function f(tag, ts, r) if prev then r.prev_a = prev.a end prev = r return 2, ts, r end`,
  'returned untouched': `function f(tag, ts, r) return 2, ts, r end`,
  'integer keys deleted and set beside string keys of the same digits': `function f(tag, ts, r)
    r[7] = nil; r[8] = 'eight' return 2, ts, r end`,
  'reads a missing key, writes tag and time': `function f(tag, ts, r)
    if r.nope == nil then r.tag = tag; r.ts = ts end return 2, ts, r end`,
}

const records: Body[] = [
  { a: 'x', b: 1, f: 2.5, t: true, n: null, m: { deep: [1, 'two', { three: 3 }], e: [] }, s: '한국어 ✓' },
  { a: 'y', b: -7, 'dotted.key': 'd', 'app.kubernetes.io/name': 'web', big: 2 ** 40, empty: '' },
  { a: 'x', only: 'one' },
  { m: { x: 1 }, arr: [1, 2, 3], nul: null, bool: false },
  { a: 'y', b: 2, f: 3.0, t: false, n: null, m: {}, s: '' },
  { a: 'z', undef: undefined, b: 3 },
  { '7': 'string key seven', f: null, b: 2.5, a: 'w' },
  {},
  Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i % 2 ? i : `v${i}`])),
]

const vms: LuaVm[] = []
after(() => {
  for (const vm of vms) vm.close()
})

async function run(source: string, lazy: boolean, extra: Partial<DriverOptions> = {}) {
  const vm = await LuaVm.create(source, 'test', {
    call: 'f',
    lazy,
    protectedMode: true,
    timeAsTable: false,
    enableFlbNull: false,
    intKeys: [],
    arrayKeys: [],
    ...extra,
  })
  vms.push(vm)
  const w = new Writer(1024, lazy)
  const results = []
  // two batches, so that a record kept from the first is read during the second
  for (let b = 0; b < 2; b++) {
    const events: LogEvent[] = records.map((body, i) => ({ sec: 100 + i, nsec: 5, body: structuredClone(body) }))
    const keys: string[] = []
    results.push(decodeOutcomes(vm.run(w.batch('app.x', events, keys)), events, keys, w.undefinedIn))
  }
  return results
}

describe('lua lazy records', () => {
  for (const [name, source] of Object.entries(scripts)) {
    test(`same results as plain tables: ${name}`, async () => {
      assert.ok(lazyRecordsSafe(source), 'the script is one that gets lazy records')
      assert.deepEqual(await run(source, true), await run(source, false))
    })
  }

  test('same results with type_int_key, type_array_key and enable_flb_null', async () => {
    const source = `function f(tag, ts, r) r.touched = 1 return 2, ts, r end`
    for (const extra of [
      { intKeys: ['f', 'b'] },
      { arrayKeys: ['e', 'arr'] },
      { enableFlbNull: true },
      { enableFlbNull: true, intKeys: ['f', 'b', 'n'] },
    ] satisfies Partial<DriverOptions>[]) {
      assert.deepEqual(await run(source, true, extra), await run(source, false, extra), JSON.stringify(extra))
    }
  })

  test('scripts that could tell a proxy from a table get plain tables', () => {
    for (const s of [
      'function f(t, ts, r) if next(r) == nil then return -1, ts, r end return 0, ts, r end',
      'function f(t, ts, r) return 2, ts, { n = rawget(r, "a") } end',
      'function f(t, ts, r) setmetatable(r, nil) return 2, ts, r end',
      'local json = require("json")',
      'function f(t, ts, r) local g = _G return 0, ts, r end',
    ])
      assert.equal(lazyRecordsSafe(s), false, s)
    assert.equal(lazyRecordsSafe(ecs), true)
  })
})

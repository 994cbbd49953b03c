import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import lua from './index.ts'

async function withCode(code: string, extra: [string, string][] = [], call = 'f') {
  return setupFilter(lua, [['code', code], ['call', call], ...extra])
}

describe('lua', () => {
  test('return codes: -1 drops, 0 keeps, 1 replaces time and record, 2 keeps time', async () => {
    const h = await withCode(`
      function f(tag, ts, r)
        if r.op == 'drop' then return -1, ts, r end
        if r.op == 'keep' then r.changed = true; return 0, ts, r end
        if r.op == 'one' then r.tag = tag; return 1, 42.5, r end
        r.two = true
        return 2, 0, r
      end`)
    const out = await h.run(
      ['drop', 'keep', 'one', 'two'].map((op, i) => ({ sec: 100 + i, nsec: 7, body: { op } })),
      'app.x',
    )
    assert.deepEqual(out, [
      { sec: 101, nsec: 7, body: { op: 'keep' } },
      { sec: 42, nsec: 500000000, body: { op: 'one', tag: 'app.x' } },
      { sec: 103, nsec: 7, body: { op: 'two', two: true } },
    ])
  })

  test('the timestamp is seconds as a float; returned unchanged it keeps its nanoseconds', async () => {
    const h = await withCode('function f(tag, ts, r) r.ts = ts; return 1, ts, r end')
    const [e] = await h.run([{ sec: 1700000000, nsec: 123456789, body: {} }])
    assert.equal(e!.sec, 1700000000)
    assert.equal(e!.nsec, 123456789)
    assert.ok(Math.abs((e!.body.ts as number) - 1700000000.123457) < 1e-6)
  })

  test('time_as_table passes and accepts {sec, nsec}', async () => {
    const h = await withCode(
      'function f(tag, ts, r) r.s = ts.sec; r.n = ts.nsec; return 1, {sec = ts.sec + 1, nsec = 5}, r end',
      [['time_as_table', 'on']],
    )
    assert.deepEqual(await h.run([{ sec: 10, nsec: 20, body: {} }]), [{ sec: 11, nsec: 5, body: { s: 10, n: 20 } }])
  })

  test('an array of records splits one record into several', async () => {
    const h = await withCode('function f(tag, ts, r) return 2, ts, { {a = 1}, {a = 2}, {a = r.x} } end')
    assert.deepEqual(
      (await h.run([{ sec: 1, nsec: 0, body: { x: 'z' } }])).map((e) => e.body),
      [{ a: 1 }, { a: 2 }, { a: 'z' }],
    )
  })

  test('values round-trip: nested maps, arrays, numbers, booleans, unicode', async () => {
    const h = await withCode('function f(tag, ts, r) return 2, ts, r end')
    const body = {
      s: '한국어 ✓',
      i: 42,
      neg: -7,
      big: 2 ** 40,
      f: 1.5,
      t: true,
      b: false,
      arr: [1, 'two', { three: 3 }],
      m: { deep: { er: ['x'] } },
      empty: '',
    }
    const [e] = await h.run([{ sec: 1, nsec: 0, body: structuredClone(body) }])
    assert.deepEqual(e!.body, body)
  })

  test('unchanged, changed, removed and new keys in one record; nested tables changed in place', async () => {
    const h = await withCode(
      "function f(tag, ts, r) r.b = r.b .. '!'; r.c = nil; r['new key'] = 7; r.m.x = 2; return 2, ts, r end",
    )
    const out = await h.bodies([
      { a: 'same', b: 'changed', c: 'gone', m: { x: 1, y: 'y' } },
      { a: 1, b: 'x', m: {} },
    ])
    assert.deepEqual(out, [
      { a: 'same', b: 'changed!', m: { x: 2, y: 'y' }, 'new key': 7 },
      { a: 1, b: 'x!', m: { x: 2 }, 'new key': 7 },
    ])
  })

  test('records of several shapes in one batch, a very wide record, and new keys reused across records', async () => {
    // Shapes alternate (A, B, A, and A with a number where A has a string); a record of 150 keys is
    // decoded by the generic loop rather than a generated decoder; new keys, also inside nested tables,
    // are sent once and referred to by index afterwards.
    const h = await withCode(
      "function f(tag, ts, r) r.added = (r.added or 0) + 1; r.nest = { fresh = r.a or 'none', t = true }; return 2, ts, r end",
    )
    const wide: Record<string, unknown> = {}
    for (let i = 0; i < 150; i++) wide[`k${i}`] = i % 3 === 0 ? `v${i}` : i % 3 === 1 ? i : i % 2 === 0
    const input = [
      { a: 'x', b: 1 },
      { c: true, d: null, e: { f: [1, 2] } },
      { a: 'y', b: 2 },
      { a: 3, b: 'z' },
      wide,
      { a: 'w', b: 4 },
    ]
    const out = await h.bodies(structuredClone(input))
    const want = input.map((b) => {
      const r: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(b)) if (v !== null) r[k] = v
      return { ...r, added: 1, nest: { fresh: (b as { a?: unknown }).a ?? 'none', t: true } }
    })
    assert.deepEqual(out, want)
  })

  test('null values are dropped unless enable_flb_null', async () => {
    const plain = await withCode('function f(tag, ts, r) return 2, ts, r end')
    assert.deepEqual((await plain.bodies([{ a: null, b: 1 }]))[0], { b: 1 })
    const keep = await withCode('function f(tag, ts, r) r.isnull = (r.a == flb_null); return 2, ts, r end', [
      ['enable_flb_null', 'on'],
    ])
    assert.deepEqual((await keep.bodies([{ a: null }]))[0], { a: null, isnull: true })
  })

  test('type_int_key and type_array_key', async () => {
    const h = await withCode(
      'function f(tag, ts, r) r.n = r.n * 1.0 + 0.7; r.list = {}; r.m = {}; return 2, ts, r end',
      [
        ['type_int_key', 'n'],
        ['type_array_key', 'list'],
      ],
    )
    assert.deepEqual((await h.bodies([{ n: 3 }]))[0], { n: 3, list: [], m: {} })
  })

  test('a runtime error keeps the record, counts and logs it (protected mode)', async () => {
    const h = await withCode("function f(tag, ts, r) if r.bad then error('boom') end; r.ok = true; return 2, ts, r end")
    const out = await h.bodies([{ bad: true }, { bad: false }])
    assert.deepEqual(out, [{ bad: true }, { bad: false, ok: true }])
    assert.equal(h.ctx.metrics.counter('sluice_filter_lua_errors_total', '').get({ name: 'test.0' }), 1)
    assert.ok(h.ctx.lines.some((l) => /failed for 1 of 2 records.*boom/.test(l)))
  })

  test('invalid returns are errors that keep the record', async () => {
    const h = await withCode(`
      function f(tag, ts, r)
        if r.k == 1 then return 7, ts, r end
        if r.k == 2 then return 1, 'later', r end
        if r.k == 3 then return 2, ts, 'text' end
        return nil
      end`)
    const input = [{ k: 1 }, { k: 2 }, { k: 3 }, { k: 4 }]
    assert.deepEqual(await h.bodies(input), input)
    assert.equal(h.ctx.metrics.counter('sluice_filter_lua_errors_total', '').get({ name: 'test.0' }), 4)
  })

  test('without protected mode an error passes the batch unchanged', async () => {
    const h = await withCode("function f(tag, ts, r) error('boom') end", [['protected_mode', 'off']])
    assert.deepEqual(await h.bodies([{ a: 1 }, { a: 2 }]), [{ a: 1 }, { a: 2 }])
    assert.ok(h.ctx.lines.some((l) => /failed on a batch of 2/.test(l)))
  })

  test('script read through ctx.readFile; a missing function or a syntax error is precise', async () => {
    const h = await setupFilter(
      lua,
      [
        ['script', '/fluent-bit/etc/x.lua'],
        ['call', 'g'],
      ],
      { files: { '/fluent-bit/etc/x.lua': 'function g(t, ts, r) r.g = 1; return 2, ts, r end' } },
    )
    assert.deepEqual(await h.bodies([{}]), [{ g: 1 }])
    await assert.rejects(withCode('function f() end', [], 'nope'), /function 'nope' is not defined/)
    await assert.rejects(withCode('function f( end'), /cannot load Lua script code/)
    await assert.rejects(setupFilter(lua, [['call', 'f']]), /'script' or 'code' is required/)
    await assert.rejects(
      setupFilter(lua, [
        ['script', 'missing.lua'],
        ['call', 'f'],
      ]),
      /cannot read Lua script missing.lua/,
    )
  })

  test('Lua 5.1 names used by LuaJIT scripts are there (unpack, loadstring)', async () => {
    const h = await withCode(
      "function f(tag, ts, r) local a, b = unpack({1, 2}); r.s = a + b + loadstring('return 3')(); return 2, ts, r end",
    )
    assert.deepEqual(await h.bodies([{}]), [{ s: 6 }])
  })

  test('an empty record and an empty batch', async () => {
    const h = await withCode('function f(tag, ts, r) r.x = 1; return 2, ts, r end')
    assert.deepEqual(await h.bodies([{}]), [{ x: 1 }])
    assert.deepEqual(await h.run([]), [])
  })

  test('a large batch crosses in one call', async () => {
    const h = await withCode('function f(tag, ts, r) r.n = r.i * 2; return 2, ts, r end')
    const out = await h.run(
      Array.from({ length: 5000 }, (_, i) => ({ sec: 1, nsec: 0, body: { i, log: 'x'.repeat(200) } })),
    )
    assert.equal(out.length, 5000)
    assert.equal(out[4999]!.body.n, 9998)
  })
})

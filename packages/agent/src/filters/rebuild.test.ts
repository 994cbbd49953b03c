import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { withKeyRenamed, withKeysMoved, withoutKeys } from './rebuild.ts'

test('withoutKeys: drops the selected keys, keeps the order, returns the record itself when nothing is dropped', () => {
  const b = { a: 1, _p: 'F', c: { d: 2 } }
  assert.deepEqual(Object.entries(withoutKeys(b, (k) => k === '_p')), [
    ['a', 1],
    ['c', { d: 2 }],
  ])
  assert.equal(
    withoutKeys(b, (k) => k === 'zz'),
    b,
  )
  assert.deepEqual(b, { a: 1, _p: 'F', c: { d: 2 } }, 'the input record is not changed')
})

test('a `__proto__` key from a log line stays a plain key of the rebuilt record', () => {
  const b = JSON.parse('{"__proto__":{"x":1},"drop":1,"keep":2}')
  const out = withoutKeys(b, (k) => k === 'drop')
  assert.deepEqual(Object.keys(out), ['__proto__', 'keep'])
  assert.equal(Object.getPrototypeOf(out), Object.prototype)
  assert.equal(JSON.stringify(out), '{"__proto__":{"x":1},"keep":2}')
  const renamed = withKeyRenamed({ a: 1, b: 2 }, 'a', '__proto__')
  assert.equal(JSON.stringify(renamed), '{"__proto__":1,"b":2}')
})

test('withKeyRenamed renames in place and drops an existing target key; withKeysMoved moves to start or end', () => {
  assert.equal(JSON.stringify(withKeyRenamed({ a: 1, b: 2, c: 3 }, 'b', 'x')), '{"a":1,"x":2,"c":3}')
  assert.equal(JSON.stringify(withKeyRenamed({ a: 1, b: 2, c: 3 }, 'c', 'a')), '{"b":2,"a":3}')
  const m = (k: string) => k.startsWith('k_')
  assert.equal(JSON.stringify(withKeysMoved({ a: 1, k_x: 2, b: 3, k_y: 4 }, m, true)), '{"k_x":2,"k_y":4,"a":1,"b":3}')
  assert.equal(JSON.stringify(withKeysMoved({ a: 1, k_x: 2, b: 3, k_y: 4 }, m, false)), '{"a":1,"b":3,"k_x":2,"k_y":4}')
  const same = { a: 1 }
  assert.equal(withKeysMoved(same, m, true), same)
})

test('rebuilt records keep V8 fast properties, where `delete` made a dictionary (why rebuild.ts exists)', () => {
  const script = `
    const { withoutKeys } = await import(${JSON.stringify(new URL('./rebuild.ts', import.meta.url).href)})
    const viaDelete = { time: 't', stream: 'stdout', _p: 'F', log: 'x' }
    delete viaDelete._p
    const rebuilt = withoutKeys({ time: 't', stream: 'stdout', _p: 'F', log: 'x' }, (k) => k === '_p')
    console.log(JSON.stringify([%HasFastProperties(viaDelete), %HasFastProperties(rebuilt)]))
  `
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), [false, true])
})

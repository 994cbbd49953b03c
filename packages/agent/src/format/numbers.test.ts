import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonDouble, printfG16, writeEpochDouble } from './numbers.ts'

test('jsonDouble of record times (1e9 ≤ x < 2^32) equals the general %.16g rendering', () => {
  let seed = 42
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const xs = [
    1e9 + 0.5,
    1795333911.09105,
    1795333911.000001,
    1795333911 + 1e-7,
    1795333911 + 0.9999996,
    1795333911.999999,
    1795333911.1,
    4294967295.999999,
    2 ** 32 - 2 ** -21,
    2 ** 31 + 2 ** -21,
  ]
  for (let i = 0; i < 200_000; i++) {
    const sec = 1e9 + Math.floor(rnd() * (2 ** 32 - 1e9))
    xs.push(i % 2 === 0 ? sec + Math.floor(rnd() * 1e9) / 1e9 : sec + Math.floor(rnd() * 1e6) / 1e6)
  }
  for (const x of xs) if (!Number.isInteger(x)) assert.equal(jsonDouble(x), printfG16(x), `x=${x}`)
  assert.equal(jsonDouble(1795333911), '1795333911.0')
  assert.equal(jsonDouble(0.5), '0.5')
  assert.equal(jsonDouble(1795333911 + 0.9999996), '1795333912')
})

test('writeEpochDouble writes the bytes of jsonDouble(sec + nsec / 1e9), or -1 outside 1e9 ≤ x < 2^32', () => {
  let seed = 7
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const pairs: [number, number][] = [
    [1e9, 0],
    [1795333911, 0],
    [1795333911, 1],
    [1795333911, 500],
    [1795333911, 999_999_499],
    [1795333911, 999_999_500],
    [1795333911, 999_999_999],
    [1795333911, 100_000_000],
    [1795333911, 91_050_000],
    [4294967295, 999_999_999],
    [4294967295, 0],
    [999_999_999, 999_999_999],
    [4294967296, 0],
    [0, 5],
    [-1, 0],
    [1795333911, 1e9],
  ]
  for (let i = 0; i < 200_000; i++) {
    const sec = 1e9 + Math.floor(rnd() * (2 ** 32 - 1e9))
    pairs.push([sec, i % 3 === 0 ? Math.floor(rnd() * 1e9) : i % 3 === 1 ? Math.floor(rnd() * 1e6) * 1000 : 0])
  }
  // runs of the same second (the digits of the last second are reused), rounding up into the next
  for (let i = 0; i < 2000; i++) pairs.push([1795333911 + Math.floor(i / 50), (i % 50) * 19_999_999 + (i % 7)])
  pairs.push([1795333920, 999_999_999], [1795333920, 5], [1795333921, 0], [1795333920, 999_999_600])
  const buf = new Uint8Array(64)
  for (const [sec, nsec] of pairs) {
    const x = sec + nsec / 1e9
    const end = writeEpochDouble(buf, 3, sec, nsec)
    if (x >= 1e9 && x < 2 ** 32) {
      assert.equal(Buffer.from(buf.subarray(3, end)).toString('latin1'), jsonDouble(x), `${sec} ${nsec}`)
    } else assert.equal(end, -1, `${sec} ${nsec}`)
  }
})

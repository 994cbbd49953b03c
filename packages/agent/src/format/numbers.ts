// C printf number renderings Fluent Bit's outputs produce, so Sluice's text matches byte for byte.

/** printf("%f"): six decimals. */
export function printfF(x: number): string {
  return Number.isFinite(x) ? x.toFixed(6) : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
}

/** printf("%.16g"): 16 significant digits, trailing zeros removed, exponent form when C would use it. */
export function printfG16(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const exp = Math.floor(Math.log10(Math.abs(x)))
  if (exp < -4 || exp >= 16) {
    let [m, e] = x.toExponential(15).split('e') as [string, string]
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '')
    const n = Number(e)
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  let s = x.toPrecision(16)
  if (s.includes('e')) s = x.toFixed(Math.max(0, 15 - exp))
  return trimFraction(s)
}

/** Drops the trailing zeros of a fraction, and the point when nothing is left after it (`%g`). */
// fast path: once per record for the date of json_lines; char codes instead of two regexes.
function trimFraction(s: string): string {
  if (s.indexOf('.') < 0) return s
  let end = s.length
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--
  if (s.charCodeAt(end - 1) === 46 /* . */) end--
  return end === s.length ? s : s.slice(0, end)
}

/**
 * A double as Fluent Bit's msgpack→JSON writes it (flb_pack.c): integral values as `%.1f`
 * (`1700000000.0`), others as `%.16g`.
 */
export function jsonDouble(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 63) return x.toFixed(1)
  if (x >= 1e9 && x < 4294967296) return epochG16(x)
  return printfG16(x)
}

const ZEROS = ['', '0', '00', '000', '0000', '00000']

/**
 * %.16g of a record time 1e9 ≤ x < 2^32 that is not integral: ten integer digits, so the fraction
 * rounded to 6 decimals. `x - sec` is exact (Sterbenz), and a double here is a multiple of 2^-22, so
 * `f * 1e6` is never within 2^-22 of a rounding tie and Math.round gives the correctly rounded value.
 */
// fast path: once per record for the json_lines date; toPrecision(16) costs several times more.
function epochG16(x: number): string {
  const sec = Math.floor(x)
  const micro = Math.round((x - sec) * 1e6)
  if (micro === 0) return String(sec)
  if (micro === 1_000_000) return String(sec + 1)
  let m = micro
  let drop = 0
  while (m % 10 === 0) {
    m /= 10
    drop++
  }
  const digits = String(m)
  return `${sec}.${ZEROS[6 - drop - digits.length]}${digits}`
}

/**
 * Writes jsonDouble(sec + nsec / 1e9) as ASCII bytes at `at` and returns the end offset, or -1 when
 * the value is outside 1e9 ≤ x < 2^32 (the caller then writes the string). Tested against jsonDouble.
 */
// fast path: the json_lines date of every record, written as bytes (no number-to-string, no string
// concatenation, no separate encode call); the digits are those epochG16 and `%.1f` give.
export function writeEpochDouble(buf: Uint8Array, at: number, sec: number, nsec: number): number {
  const x = sec + nsec / 1e9
  if (!(x >= 1e9 && x < 4294967296)) return -1
  let s = Math.floor(x)
  const integral = s === x
  let micro = integral ? 0 : Math.round((x - s) * 1e6)
  if (micro === 1_000_000) {
    s++
    micro = 0
  }
  // Ten integer digits (1e9 ≤ s ≤ 2^32): records come in time order, so the last second's digits
  // are mostly reused.
  if (s !== lastSec) {
    let v = s
    for (let k = 9; k >= 0; k--) {
      const q = Math.floor(v / 10)
      lastSecDigits[k] = 48 + v - q * 10
      v = q
    }
    lastSec = s
  }
  for (let k = 0; k < 10; k++) buf[at + k] = lastSecDigits[k]!
  let end = at + 10
  if (integral) {
    // jsonDouble writes an integral value as %.1f.
    buf[end] = 46 /* . */
    buf[end + 1] = 48 /* 0 */
    return end + 2
  }
  if (micro === 0) return end
  buf[end] = 46 /* . */
  // six fraction digits, two at a time (micro < 1e6: int32 arithmetic)
  const hi = (micro / 10000) | 0
  const rest = micro - hi * 10000
  const mid = (rest / 100) | 0
  const lo = rest - mid * 100
  buf[end + 1] = PAIRS[2 * hi]!
  buf[end + 2] = PAIRS[2 * hi + 1]!
  buf[end + 3] = PAIRS[2 * mid]!
  buf[end + 4] = PAIRS[2 * mid + 1]!
  buf[end + 5] = PAIRS[2 * lo]!
  buf[end + 6] = PAIRS[2 * lo + 1]!
  end += 7
  // %g drops trailing zeros of the fraction (it is not 0 here, so a digit stays).
  while (buf[end - 1] === 48 /* 0 */) end--
  return end
}

/** ASCII digits of 00..99, two bytes each. */
const PAIRS = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10)
  PAIRS[2 * i + 1] = 48 + (i % 10)
}
/** The integer seconds writeEpochDouble wrote last, and their ten digits. */
let lastSec = -1
const lastSecDigits = new Uint8Array(10)

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

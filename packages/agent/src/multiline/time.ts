// Timestamps in container log lines: CRI (`2026-11-22T07:30:00.123456789Z`, or with `+09:00`) and
// Docker json-file (`2026-11-22T07:30:00.123456789Z`). Parsed by hand because `Date` keeps only
// milliseconds and this runs once per line (fast path): consecutive lines mostly share their
// date-and-second prefix, so that part is computed once and cached.

const PREFIX = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/
let lastPrefix = ''
let lastBase = 0

function digitsAt(s: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** Parses an RFC 3339 timestamp into seconds + nanoseconds; null when it is not one. No zone: UTC. */
export function parseRfc3339(text: string): { sec: number; nsec: number } | null {
  if (text.length < 19) return null
  const prefix = text.slice(0, 19)
  let base: number
  if (prefix === lastPrefix) base = lastBase
  else {
    const m = PREFIX.exec(prefix)
    if (!m) return null
    const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
    if (Number.isNaN(ms)) return null
    base = ms / 1000
    lastPrefix = prefix
    lastBase = base
  }
  let i = 19
  let nsec = 0
  const c = text.charCodeAt(i)
  if (c === 46 /* . */ || c === 44 /* , */) {
    let j = i + 1
    while (j < text.length && j - i - 1 < 9) {
      const d = text.charCodeAt(j) - 48
      if (d < 0 || d > 9) break
      nsec = nsec * 10 + d
      j++
    }
    const digits = j - i - 1
    if (digits === 0) return null
    // more than nine digits: ignore the rest of the digits (sub-nanosecond)
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++
    for (let k = digits; k < 9; k++) nsec *= 10
    i = j
  }
  if (i === text.length) return { sec: base, nsec }
  const z = text[i]
  if ((z === 'Z' || z === 'z') && i + 1 === text.length) return { sec: base, nsec }
  if (z === '+' || z === '-') {
    const rest = text.length - i - 1
    let hh: number
    let mm: number
    if (rest === 5 && text[i + 3] === ':') {
      hh = digitsAt(text, i + 1, i + 3)
      mm = digitsAt(text, i + 4, i + 6)
    } else if (rest === 4) {
      hh = digitsAt(text, i + 1, i + 3)
      mm = digitsAt(text, i + 3, i + 5)
    } else return null
    if (hh < 0 || mm < 0) return null
    const off = hh * 3600 + mm * 60
    return { sec: z === '+' ? base - off : base + off, nsec }
  }
  return null
}

// strptime(3) for log timestamps: the subset of directives Fluent Bit parsers use in practice, plus
// Fluent Bit's `%L` (fractional seconds, any number of digits, kept to the nanosecond).
//
// A format is compiled once (`compileTimeFormat`) into a list of steps; parsing a value walks the
// steps over the string without allocating beyond the result. The zone comes from `%z`/`%Z` when the
// format has one, else from a fixed offset (a parser's Time_Offset), else UTC — or the system zone
// when asked (Time_System_Timezone). As Fluent Bit does, text left after the format is ignored, and a
// format without a year takes the current year (syslog's `%b %d %H:%M:%S`).

export interface TimeValue {
  /** Whole seconds since the Unix epoch. */
  sec: number
  /** Nanoseconds within the second. */
  nsec: number
}

export interface TimeParseOptions {
  /** Fixed UTC offset in seconds for formats without a zone (Time_Offset). */
  offsetSec?: number
  /** Interpret zone-less times in the system time zone (TZ), as Time_System_Timezone does. */
  systemTimezone?: boolean
  /**
   * Time_Strict off: accept a value that matches only a prefix of the format, using the fields read
   * so far (Fluent Bit's "non-exact match").
   */
  lenient?: boolean
  /** IANA zone (Time_Zone) for zone-less times, with its daylight-saving rules. */
  timeZone?: string
  /** Current time in epoch ms, for formats without a year (tests pin it). */
  now?: number
}

type Field = 'Y' | 'y' | 'm' | 'd' | 'e' | 'H' | 'I' | 'M' | 'S' | 'j'
type Step =
  | { kind: 'num'; field: Field; min: number; max: number; width: number }
  | { kind: 'frac' }
  | { kind: 'month' }
  | { kind: 'weekday' }
  | { kind: 'ampm' }
  | { kind: 'zone' }
  | { kind: 'zonename' }
  | { kind: 'epoch' }
  | { kind: 'space' }
  | { kind: 'lit'; text: string }

export interface CompiledTimeFormat {
  readonly format: string
  /** The format names a zone (%z or %Z), so Time_Offset does not apply. */
  readonly hasZone: boolean
  readonly hasYear: boolean
  parse(text: string, opts?: TimeParseOptions): TimeValue | null
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const MONTHS_LONG = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const DAYS_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']

/**
 * Zone abbreviations Fluent Bit accepts for %Z (its "Supported time zone abbreviations" table), in
 * seconds east of UTC. Military letters J (local time) is not included, as there.
 */
const ZONES: Record<string, number> = {
  GMT: 0,
  UTC: 0,
  Z: 0,
  UT: 0,
  EST: -18000,
  EDT: -14400,
  CST: -21600,
  CDT: -18000,
  MST: -25200,
  MDT: -21600,
  PST: -28800,
  PDT: -25200,
  AKST: -32400,
  AKDT: -28800,
  HST: -36000,
  HADT: -32400,
  AST: -14400,
  ADT: -10800,
  NST: -12600,
  NDT: -9000,
  WET: 0,
  WEST: 3600,
  CET: 3600,
  CEST: 7200,
  EET: 7200,
  EEST: 10800,
  MSK: 10800,
  ART: -10800,
  BRT: -10800,
  BRST: -7200,
  CLT: -14400,
  CLST: -10800,
  AEST: 36000,
  AEDT: 39600,
  ACST: 34200,
  ACDT: 37800,
  AWST: 28800,
  NZST: 43200,
  NZDT: 46800,
  JST: 32400,
  KST: 32400,
  SGT: 28800,
  IST: 19800,
  GST: 14400,
  ICT: 25200,
  WIB: 25200,
  WITA: 28800,
  WIT: 32400,
  MYT: 28800,
  BDT: 21600,
  NPT: 20700,
  WAT: 3600,
  CAT: 7200,
  EAT: 10800,
  SAST: 7200,
}
// Military zones: A..I = +1..+9, K..M = +10..+12, N..Y = -1..-12.
for (let i = 0; i < 26; i++) {
  const c = String.fromCharCode(65 + i)
  if (c === 'J' || c === 'Z') continue
  let h: number
  if (c <= 'I') h = i + 1
  else if (c <= 'M') h = i
  else h = -(i - 12)
  ZONES[c] = h * 3600
}

function num(field: Field, min: number, max: number, width: number): Step {
  return { kind: 'num', field, min, max, width }
}

/** Compiles a strptime format. Returns an error message naming the bad directive. */
export function compileTimeFormat(format: string): CompiledTimeFormat | { error: string } {
  const steps: Step[] = []
  let lit = ''
  const flush = () => {
    if (lit) steps.push({ kind: 'lit', text: lit })
    lit = ''
  }
  let hasZone = false
  let hasYear = false
  let hasEpoch = false
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c === ' ' || c === '\t' || c === '\n') {
      flush()
      if (steps.at(-1)?.kind !== 'space') steps.push({ kind: 'space' })
      continue
    }
    if (c !== '%') {
      lit += c
      continue
    }
    let d = format[++i]
    // GNU/BSD modifiers (%Ey, %Od, %-d) change nothing when parsing.
    if (d === 'E' || d === 'O' || d === '-' || d === '_' || d === '0') d = format[++i]
    if (d === undefined) return { error: `format '${format}' ends with a lone '%'` }
    if (d === '%') {
      lit += '%'
      continue
    }
    flush()
    switch (d) {
      case 'Y':
        steps.push(num('Y', 0, 9999, 4))
        hasYear = true
        break
      case 'y':
        steps.push(num('y', 0, 99, 2))
        hasYear = true
        break
      case 'C':
        return { error: `directive '%C' (century) is not supported in '${format}'` }
      case 'm':
        steps.push(num('m', 1, 12, 2))
        break
      case 'd':
        steps.push(num('d', 1, 31, 2))
        break
      case 'e':
        steps.push(num('e', 1, 31, 2))
        break
      case 'H':
      case 'k':
        steps.push(num('H', 0, 23, 2))
        break
      case 'I':
      case 'l':
        steps.push(num('I', 1, 12, 2))
        break
      case 'M':
        steps.push(num('M', 0, 59, 2))
        break
      case 'S':
        steps.push(num('S', 0, 60, 2))
        break
      case 'j':
        steps.push(num('j', 1, 366, 3))
        break
      case 'L':
      case 'N':
        steps.push({ kind: 'frac' })
        break
      case 'b':
      case 'B':
      case 'h':
        steps.push({ kind: 'month' })
        break
      case 'a':
      case 'A':
        steps.push({ kind: 'weekday' })
        break
      case 'p':
      case 'P':
        steps.push({ kind: 'ampm' })
        break
      case 'z':
        steps.push({ kind: 'zone' })
        hasZone = true
        break
      case 'Z':
        steps.push({ kind: 'zonename' })
        hasZone = true
        break
      case 's':
        steps.push({ kind: 'epoch' })
        hasEpoch = true
        break
      case 'T':
        steps.push(num('H', 0, 23, 2), { kind: 'lit', text: ':' }, num('M', 0, 59, 2), { kind: 'lit', text: ':' })
        steps.push(num('S', 0, 60, 2))
        break
      case 'R':
        steps.push(num('H', 0, 23, 2), { kind: 'lit', text: ':' }, num('M', 0, 59, 2))
        break
      case 'D':
        steps.push(num('m', 1, 12, 2), { kind: 'lit', text: '/' }, num('d', 1, 31, 2), { kind: 'lit', text: '/' })
        steps.push(num('y', 0, 99, 2))
        hasYear = true
        break
      case 'F':
        steps.push(num('Y', 0, 9999, 4), { kind: 'lit', text: '-' }, num('m', 1, 12, 2), { kind: 'lit', text: '-' })
        steps.push(num('d', 1, 31, 2))
        hasYear = true
        break
      case 'n':
      case 't':
        if (steps.at(-1)?.kind !== 'space') steps.push({ kind: 'space' })
        break
      default:
        return { error: `unknown directive '%${d}' in time format '${format}'` }
    }
  }
  flush()
  // Fluent Bit: `Time_Format %Y-%m-%dT%H:%M:%SZ` names UTC through the literal Z.
  if (/%S(\.%L)?Z/.test(format)) hasZone = true
  // fast paths: CRI's format, and Docker's (the same without %z: what follows the fraction, usually
  // `Z`, is ignored, and the zone is the Time_Offset or UTC).
  const isCri = format === '%Y-%m-%dT%H:%M:%S.%L%z'
  const isDocker = format === '%Y-%m-%dT%H:%M:%S.%L'
  const fmt: CompiledTimeFormat = {
    format,
    hasZone,
    hasYear: hasYear || hasEpoch,
    parse(text, opts) {
      if (isCri) {
        const fast = parseRfc3339(text)
        if (fast) return fast
      } else if (isDocker && !opts?.systemTimezone && !opts?.timeZone) {
        if (isoPrefix(text) >= 0) return { sec: isoSec - (opts?.offsetSec ?? 0), nsec: isoNsec }
      }
      return run(steps, text, hasYear || hasEpoch, hasZone, opts)
    },
  }
  return fmt
}

const cache = new Map<string, CompiledTimeFormat | { error: string }>()

/** Parses `text` with a strptime `format`; null when it does not match (or the format is invalid). */
export function strptime(text: string, format: string, opts?: TimeParseOptions): TimeValue | null {
  let f = cache.get(format)
  if (!f) {
    f = compileTimeFormat(format)
    if (cache.size < 256) cache.set(format, f)
  }
  if ('error' in f) return null
  return f.parse(text, opts)
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

const isDigit = (c: number) => c >= 48 && c <= 57

/** Results of the last successful isoPrefix() call (module scratch: no object per call). */
let isoSec = 0
let isoNsec = 0
/**
 * Character codes of the last `YYYY-MM-DDTHH:MM:SS` read in full, and its seconds (-1 initially:
 * never matches). Codes rather than a string: comparing them is cheaper than startsWith on a string
 * built from slices, and keeps no reference to the text the time came from.
 */
const lastHead = new Int32Array(19).fill(-1)
let lastHeadSec = 0

/** True when `s` starts with the last head read in full (compared from the end: seconds change first). */
function sameHead(s: string): boolean {
  for (let i = 18; i >= 0; i--) if (s.charCodeAt(i) !== lastHead[i]) return false
  return true
}

/** Two ASCII digits at `i` as a number, or -1 when either is not a digit. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * Reads `YYYY-MM-DDTHH:MM:SS.fraction` at the start of `s`: seconds as if UTC and nanoseconds go to
 * isoSec/isoNsec, and the index after the fraction is returned; -1 when the text has another shape.
 */
// fast path: one call per CRI/Docker line; no allocation, char codes only.
function isoPrefix(s: string): number {
  if (s.length < 21) return -1
  // Consecutive lines mostly share their date and second: the seconds of the last prefix are reused.
  if (s.charCodeAt(19) === 46 /* . */ && sameHead(s)) return isoFraction(s, lastHeadSec)
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 /* . */
  )
    return -1
  const y1 = two(s, 0)
  const y2 = two(s, 2)
  const m = two(s, 5)
  const d = two(s, 8)
  const H = two(s, 11)
  const M = two(s, 14)
  const S = two(s, 17)
  if (y1 < 0 || y2 < 0 || m < 1 || m > 12 || d < 1 || d > 31 || H < 0 || H > 23 || M < 0 || M > 59 || S < 0 || S > 60)
    return -1
  const sec = daysFromCivil(y1 * 100 + y2, m, d) * 86400 + H * 3600 + M * 60 + S
  for (let i = 0; i < 19; i++) lastHead[i] = s.charCodeAt(i)
  lastHeadSec = sec
  return isoFraction(s, sec)
}

/** Reads the `.fraction` after a checked `YYYY-MM-DDTHH:MM:SS` prefix whose seconds are `sec`. */
function isoFraction(s: string, sec: number): number {
  let i = 20
  let nsec = 0
  let digits = 0
  const len = s.length
  for (; i < len; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    if (digits < 9) {
      nsec = nsec * 10 + c
      digits++
    }
  }
  if (i === 20) return -1
  for (; digits < 9; digits++) nsec *= 10
  isoSec = sec
  isoNsec = nsec
  return i
}

/**
 * fast path: RFC 3339 timestamps as CRI runtimes write them (`2026-11-22T07:30:00.123456789Z`,
 * `…+09:00`), the format `%Y-%m-%dT%H:%M:%S.%L%z`. Returns null when the text has another shape, and
 * the general parser decides.
 */
export function parseRfc3339(s: string): TimeValue | null {
  const end = isoPrefix(s)
  if (end < 0) return null
  const z = s.charCodeAt(end)
  if (z === 90 /* Z */ || z === 122 /* z */) return { sec: isoSec, nsec: isoNsec }
  if (z !== 43 /* + */ && z !== 45 /* - */) return null
  const sec = isoSec
  const nsec = isoNsec
  const o = parseOffset(s, end)
  return o ? { sec: sec - o.off, nsec } : null
}

/** Reads `±hh`, `±hhmm` or `±hh:mm` at `i`. */
function parseOffset(s: string, i: number): { off: number; end: number } | null {
  const sign = s[i] === '-' ? -1 : 1
  i++
  const d = (k: number) => (isDigit(s.charCodeAt(k)) ? s.charCodeAt(k) - 48 : -1)
  const h1 = d(i)
  const h2 = d(i + 1)
  if (h1 < 0 || h2 < 0) return null
  const h = h1 * 10 + h2
  i += 2
  let m = 0
  if (s[i] === ':') {
    const m1 = d(i + 1)
    const m2 = d(i + 2)
    if (m1 < 0 || m2 < 0) return null
    m = m1 * 10 + m2
    i += 3
  } else if (d(i) >= 0 && d(i + 1) >= 0) {
    m = d(i) * 10 + d(i + 1)
    i += 2
  }
  if (h > 24 || m > 59) return null
  return { off: sign * (h * 3600 + m * 60), end: i }
}

function matchName(s: string, i: number, shorts: string[], longs: string[]): { index: number; end: number } | null {
  const rest = s.slice(i, i + 12).toLowerCase()
  for (let k = 0; k < longs.length; k++) if (rest.startsWith(longs[k]!)) return { index: k, end: i + longs[k]!.length }
  for (let k = 0; k < shorts.length; k++)
    if (rest.startsWith(shorts[k]!)) return { index: k, end: i + shorts[k]!.length }
  return null
}

function run(
  steps: readonly Step[],
  s: string,
  hasYear: boolean,
  hasZone: boolean,
  opts: TimeParseOptions | undefined,
): TimeValue | null {
  let Y = -1
  let mo = -1
  let d = -1
  let H = 0
  let I = -1
  let pm = -1
  let M = 0
  let S = 0
  let j = -1
  let nsec = 0
  let zone: number | undefined
  let epoch: number | undefined
  let i = 0
  let parsed = 0
  let ok = true
  for (const st of steps) {
    if (st.kind === 'space') {
      while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++
      continue
    }
    if (st.kind === 'lit') {
      if (!s.startsWith(st.text, i)) {
        ok = false
        break
      }
      i += st.text.length
      continue
    }
    if (st.kind === 'num') {
      if (st.field === 'e' || st.field === 'd' || st.field === 'H' || st.field === 'I') while (s[i] === ' ') i++
      let v = 0
      let n = 0
      while (n < st.width && i < s.length && isDigit(s.charCodeAt(i))) {
        v = v * 10 + s.charCodeAt(i) - 48
        i++
        n++
      }
      if (n === 0 || v < st.min || v > st.max) {
        ok = false
        break
      }
      switch (st.field) {
        case 'Y':
          Y = v
          break
        case 'y':
          Y = v < 69 ? 2000 + v : 1900 + v
          break
        case 'm':
          mo = v
          break
        case 'd':
        case 'e':
          d = v
          break
        case 'H':
          H = v
          break
        case 'I':
          I = v
          break
        case 'M':
          M = v
          break
        case 'S':
          S = v
          break
        case 'j':
          j = v
          break
      }
    } else if (st.kind === 'frac') {
      const start = i
      let digits = 0
      let v = 0
      while (i < s.length && isDigit(s.charCodeAt(i))) {
        if (digits < 9) {
          v = v * 10 + s.charCodeAt(i) - 48
          digits++
        }
        i++
      }
      if (i === start) {
        ok = false
        break
      }
      for (; digits < 9; digits++) v *= 10
      nsec = v
    } else if (st.kind === 'month') {
      const r = matchName(s, i, MONTHS, MONTHS_LONG)
      if (!r) {
        ok = false
        break
      }
      mo = r.index + 1
      i = r.end
    } else if (st.kind === 'weekday') {
      const r = matchName(s, i, DAYS, DAYS_LONG)
      if (!r) {
        ok = false
        break
      }
      i = r.end
    } else if (st.kind === 'ampm') {
      const t = s.slice(i, i + 2).toUpperCase()
      if (t !== 'AM' && t !== 'PM') {
        ok = false
        break
      }
      pm = t === 'PM' ? 1 : 0
      i += 2
    } else if (st.kind === 'zone') {
      if (s[i] === 'Z' || s[i] === 'z') {
        zone = 0
        i++
      } else if (s[i] === '+' || s[i] === '-') {
        const r = parseOffset(s, i)
        if (!r) {
          ok = false
          break
        }
        zone = r.off
        i = r.end
      } else {
        const r = /^[A-Za-z]{1,5}/.exec(s.slice(i, i + 5))
        const z = r ? ZONES[r[0].toUpperCase()] : undefined
        if (z === undefined) {
          ok = false
          break
        }
        zone = z
        i += r![0].length
      }
    } else if (st.kind === 'zonename') {
      const r = /^[A-Za-z]{1,5}/.exec(s.slice(i, i + 5))
      const z = r ? ZONES[r[0].toUpperCase()] : undefined
      if (z === undefined) {
        ok = false
        break
      }
      zone = z
      i += r![0].length
    } else if (st.kind === 'epoch') {
      const r = /^-?\d+/.exec(s.slice(i, i + 21))
      if (!r) {
        ok = false
        break
      }
      epoch = Number(r[0])
      i += r[0].length
    }
    parsed++
  }
  if (!ok && (!opts?.lenient || parsed === 0)) return null

  if (epoch !== undefined) return { sec: epoch, nsec }
  if (I >= 0) H = (I % 12) + (pm === 1 ? 12 : 0)
  else if (pm === 1 && H < 12) H += 12
  // A format naming its zone (even as a literal `Z`) ignores Time_Offset, as Fluent Bit does.
  if (zone === undefined && hasZone) zone = 0
  const local = zone === undefined && opts?.systemTimezone === true
  const iana = zone === undefined && !local ? opts?.timeZone : undefined
  if (Y < 0 || mo < 0 || d < 0) {
    // Missing date parts are today's, in the zone the time is read in (Fluent Bit: UTC, the system
    // zone with Time_System_Timezone, or Time_Zone), and January 1st when the format has a year.
    const nowMs = opts?.now ?? Date.now()
    const today = iana ? zonedDate(nowMs, iana) : local ? localDate(nowMs) : utcDate(nowMs)
    if (Y < 0) Y = today.y
    if (j >= 0 && mo < 0) {
      const t = new Date(Date.UTC(Y, 0, j))
      mo = t.getUTCMonth() + 1
      d = t.getUTCDate()
    }
    if (mo < 0) mo = hasYear ? 1 : today.m
    if (d < 0) d = hasYear ? 1 : today.d
  }
  const naive = daysFromCivil(Y, mo, d) * 86400 + H * 3600 + M * 60 + S
  if (local) return { sec: Math.floor(new Date(Y, mo - 1, d, H, M, S).getTime() / 1000), nsec }
  if (iana) return { sec: zonedToUtc(naive, iana), nsec }
  return { sec: naive - (zone ?? opts?.offsetSec ?? 0), nsec }
}

/** Today's UTC date of the last call and the milliseconds its day spans: most calls fall in it. */
let utcDay = { y: 1970, m: 1, d: 1 }
let utcDayStart = 0
let utcDayEnd = -1
// fast path: a lenient parse that stops before the date (e.g. the stock `json` parser's Apache
// Time_Format on an ISO time, once per record) asks for today's date each time; a Date per call
// cost more than the rest of the parse.
const utcDate = (ms: number) => {
  if (ms >= utcDayStart && ms < utcDayEnd) return utcDay
  const t = new Date(ms)
  utcDay = { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
  utcDayStart = Date.UTC(utcDay.y, utcDay.m - 1, utcDay.d)
  utcDayEnd = utcDayStart + 86_400_000
  return utcDay
}
const localDate = (ms: number) => {
  const t = new Date(ms)
  return { y: t.getFullYear(), m: t.getMonth() + 1, d: t.getDate() }
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>()
function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    zoneFormatters.set(zone, f)
  }
  return f
}

/** Wall-clock fields of an instant in an IANA zone. */
function zonedFields(ms: number, zone: string): { y: number; m: number; d: number; naive: number } {
  const parts: Record<string, number> = {}
  for (const p of zoneFormatter(zone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const y = parts.year!
  const m = parts.month!
  const d = parts.day!
  return { y, m, d, naive: daysFromCivil(y, m, d) * 86400 + parts.hour! * 3600 + parts.minute! * 60 + parts.second! }
}

const zonedDate = (ms: number, zone: string) => zonedFields(ms, zone)

/** Seconds east of UTC of an IANA zone at an instant. */
function zoneOffset(sec: number, zone: string): number {
  return zonedFields(sec * 1000, zone).naive - sec
}

/**
 * The instant of a wall-clock time (as naive epoch seconds) in an IANA zone. In a repeated hour the
 * earlier offset that maps back is taken; in a skipped hour, the offset before the change.
 */
export function zonedToUtc(naive: number, zone: string): number {
  const off1 = zoneOffset(naive, zone)
  const t1 = naive - off1
  const off2 = zoneOffset(t1, zone)
  if (off2 === off1) return t1
  const t2 = naive - off2
  return zoneOffset(t2, zone) === off2 ? t2 : t1
}

/** True when `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Parses a Time_Offset value (`+0900`, `-06:00`, `Z`) into seconds east of UTC; undefined if invalid. */
export function parseUtcOffset(text: string): number | undefined {
  const t = text.trim()
  if (t === 'Z' || t === 'z') return 0
  if (t[0] !== '+' && t[0] !== '-') return undefined
  const r = parseOffset(t, 0)
  if (!r || r.end !== t.length) return undefined
  return r.off
}

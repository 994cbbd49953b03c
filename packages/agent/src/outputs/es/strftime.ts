// strftime(3) in UTC, the subset Fluent Bit configs use for Logstash_DateFormat, Time_Key_Format and
// strftime-style Index names. Fluent Bit formats these with gmtime_r, so everything here is UTC.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const FULL_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n))
const p3 = (n: number) => String(n).padStart(3, '0')

/** Formats whole seconds since the epoch with a strftime pattern, in UTC. Unknown %x stay as written. */
export function strftimeUtc(pattern: string, epochSeconds: number): string {
  if (!pattern.includes('%')) return pattern // fast path: a plain index name
  const d = new Date(epochSeconds * 1000)
  const Y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  const day = d.getUTCDate()
  const H = d.getUTCHours()
  const M = d.getUTCMinutes()
  const S = d.getUTCSeconds()
  const wd = d.getUTCDay()
  const yday = Math.floor((Date.UTC(Y, m, day) - Date.UTC(Y, 0, 1)) / 86_400_000) + 1
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c !== '%' || i === pattern.length - 1) {
      out += c
      continue
    }
    const f = pattern[++i]!
    switch (f) {
      case 'Y':
        out += String(Y)
        break
      case 'y':
        out += p2(Y % 100)
        break
      case 'C':
        out += p2(Math.floor(Y / 100))
        break
      case 'm':
        out += p2(m + 1)
        break
      case 'd':
        out += p2(day)
        break
      case 'e':
        out += String(day).padStart(2, ' ')
        break
      case 'H':
        out += p2(H)
        break
      case 'I':
        out += p2(H % 12 === 0 ? 12 : H % 12)
        break
      case 'p':
        out += H < 12 ? 'AM' : 'PM'
        break
      case 'M':
        out += p2(M)
        break
      case 'S':
        out += p2(S)
        break
      case 'j':
        out += p3(yday)
        break
      case 'a':
        out += DAYS[wd]
        break
      case 'A':
        out += FULL_DAYS[wd]
        break
      case 'u':
        out += String(wd === 0 ? 7 : wd)
        break
      case 'w':
        out += String(wd)
        break
      case 'b':
      case 'h':
        out += MONTHS[m]
        break
      case 'B':
        out += FULL_MONTHS[m]
        break
      case 'F':
        out += `${Y}-${p2(m + 1)}-${p2(day)}`
        break
      case 'T':
        out += `${p2(H)}:${p2(M)}:${p2(S)}`
        break
      case 'R':
        out += `${p2(H)}:${p2(M)}`
        break
      case 'D':
        out += `${p2(m + 1)}/${p2(day)}/${p2(Y % 100)}`
        break
      case 's':
        out += String(Math.floor(epochSeconds))
        break
      case 'z':
        out += '+0000'
        break
      case 'Z':
        out += 'UTC'
        break
      case 'n':
        out += '\n'
        break
      case 't':
        out += '\t'
        break
      case '%':
        out += '%'
        break
      default:
        out += `%${f}`
    }
  }
  return out
}

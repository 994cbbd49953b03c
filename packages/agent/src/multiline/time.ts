// Timestamps in container log lines: CRI (`2026-11-22T07:30:00.123456789Z`, or with `+09:00`) and
// Docker json-file (`2026-11-22T07:30:00.123456789Z`). Parsed by hand because `Date` keeps only
// milliseconds and this runs once per line (fast path).

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/

/** Parses an RFC 3339 timestamp into seconds + nanoseconds; null when it is not one. No zone: UTC. */
export function parseRfc3339(text: string): { sec: number; nsec: number } | null {
  const m = RFC3339.exec(text)
  if (!m) return null
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  if (Number.isNaN(ms)) return null
  let sec = ms / 1000
  const frac = m[7]
  const nsec = frac ? Number(frac.padEnd(9, '0')) : 0
  const zone = m[8]
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    sec -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60)
  }
  return { sec, nsec }
}

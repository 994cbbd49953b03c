import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileTimeFormat, daysFromCivil, parseRfc3339, parseUtcOffset, strptime, type TimeValue } from './strptime.ts'

const at = (iso: string) => Date.parse(iso) / 1000
// 2026-11-22T07:30:00Z, for formats without a year.
const NOW = Date.UTC(2026, 10, 22, 7, 30, 0)

describe('strptime', () => {
  const cases: [string, string, string, number, import('./strptime.ts').TimeParseOptions?][] = [
    // [text, format, expected ISO instant, expected nsec, options]
    ['2026-11-22T07:30:01.123456789Z', '%Y-%m-%dT%H:%M:%S.%L%z', '2026-11-22T07:30:01Z', 123456789],
    ['2026-11-22T16:30:01.5+09:00', '%Y-%m-%dT%H:%M:%S.%L%z', '2026-11-22T07:30:01Z', 500000000],
    ['2026-11-22T16:30:01.5+0900', '%Y-%m-%dT%H:%M:%S.%L%z', '2026-11-22T07:30:01Z', 500000000],
    ['2026-11-22T07:30:01.1234567891234Z', '%Y-%m-%dT%H:%M:%S.%L%z', '2026-11-22T07:30:01Z', 123456789],
    ['2018-03-09T01:01:44.851160855Z', '%Y-%m-%dT%H:%M:%S.%L', '2018-03-09T01:01:44Z', 851160855],
    ['22/Nov/2026:16:30:00 +0900', '%d/%b/%Y:%H:%M:%S %z', '2026-11-22T07:30:00Z', 0],
    ['22/November/2026:07:30:00 -0130', '%d/%B/%Y:%H:%M:%S %z', '2026-11-22T09:00:00Z', 0],
    ['Nov 22 07:30:00', '%b %d %H:%M:%S', '2026-11-22T07:30:00Z', 0, { now: NOW }],
    ['Jan  5 01:02:03', '%b %e %H:%M:%S', '2026-01-05T01:02:03Z', 0, { now: NOW }],
    ['Sun, 22 Nov 2026 07:30:00 GMT', '%a, %d %b %Y %H:%M:%S %Z', '2026-11-22T07:30:00Z', 0],
    ['2026-11-22 16:30:00 KST', '%Y-%m-%d %H:%M:%S %Z', '2026-11-22T07:30:00Z', 0],
    ['1700000000', '%s', '2023-11-14T22:13:20Z', 0],
    ['1700000000.25', '%s.%L', '2023-11-14T22:13:20Z', 250000000],
    ['11/22/26 07:30:00', '%D %T', '2026-11-22T07:30:00Z', 0],
    ['2026-11-22', '%F', '2026-11-22T00:00:00Z', 0],
    ['2026 326 07:30', '%Y %j %H:%M', '2026-11-22T07:30:00Z', 0],
    ['07:30:00 PM 2026-11-22', '%I:%M:%S %p %F', '2026-11-22T19:30:00Z', 0],
    ['12:05:00 AM 2026-11-22', '%I:%M:%S %p %F', '2026-11-22T00:05:00Z', 0],
    ['2026-11-22 16:30:00', '%Y-%m-%d %H:%M:%S', '2026-11-22T07:30:00Z', 0, { offsetSec: 9 * 3600 }],
    ['2026-11-22T07:30:00Z', '%Y-%m-%dT%H:%M:%SZ', '2026-11-22T07:30:00Z', 0, { offsetSec: 3600 }],
    ['2026-11-22 07:30:00 trailing text', '%Y-%m-%d %H:%M:%S', '2026-11-22T07:30:00Z', 0],
  ]
  for (const [text, fmt, iso, nsec, opts] of cases) {
    it(`parses '${text}' with '${fmt}'`, () => {
      assert.deepEqual(strptime(text, fmt, opts), { sec: at(iso), nsec })
    })
  }

  it('returns null for values that do not match', () => {
    assert.equal(strptime('not a date', '%Y-%m-%d'), null)
    assert.equal(strptime('2026-13-01', '%Y-%m-%d'), null)
    assert.equal(strptime('2026-11-22T07:30:00', '%Y-%m-%dT%H:%M:%S.%L'), null)
    assert.equal(strptime('22/Foo/2026', '%d/%b/%Y'), null)
  })

  it('accepts a prefix match when lenient (Time_Strict off)', () => {
    assert.deepEqual(strptime('2026-11-22T07:30:00', '%Y-%m-%dT%H:%M:%S.%L', { lenient: true }), {
      sec: at('2026-11-22T07:30:00Z'),
      nsec: 0,
    })
  })

  it('rejects unknown directives at compile time', () => {
    const r = compileTimeFormat('%Y-%Q')
    assert.ok('error' in r)
    assert.match(r.error, /%Q/)
  })

  it('takes a missing year from the Time_Zone date (Fluent Bit test time_zone_missing_year)', () => {
    // 2026-01-01T04:30:00Z is still 2025-12-31 in New York.
    const r = strptime('12/31 23:59:00', '%m/%d %H:%M:%S', { timeZone: 'America/New_York', now: 1767241800_000 })
    assert.deepEqual(r, { sec: 1767243540, nsec: 0 })
  })

  it('converts wall-clock times in an IANA zone across daylight saving', () => {
    // Europe/Berlin: CET (+1) in January, CEST (+2) in July.
    assert.equal(
      strptime('2026-01-15 12:00:00', '%Y-%m-%d %H:%M:%S', { timeZone: 'Europe/Berlin' })?.sec,
      at('2026-01-15T11:00:00Z'),
    )
    assert.equal(
      strptime('2026-07-15 12:00:00', '%Y-%m-%d %H:%M:%S', { timeZone: 'Europe/Berlin' })?.sec,
      at('2026-07-15T10:00:00Z'),
    )
    // A zone in the text wins over Time_Zone.
    assert.equal(
      strptime('2026-07-15 12:00:00 +0000', '%Y-%m-%d %H:%M:%S %z', { timeZone: 'Europe/Berlin' })?.sec,
      at('2026-07-15T12:00:00Z'),
    )
  })

  it('uses the system time zone when asked', () => {
    const got = strptime('2026-11-22 07:30:00', '%Y-%m-%d %H:%M:%S', { systemTimezone: true })
    assert.equal(got?.sec, new Date(2026, 10, 22, 7, 30, 0).getTime() / 1000)
  })

  it('fast path agrees with the general parser on RFC 3339 values', () => {
    const compiled = compileTimeFormat('%Y-%m-%dT%H:%M:%S.%L %z')
    if ('error' in compiled) throw new Error(compiled.error)
    const general = compiled
    for (let k = 0; k < 500; k++) {
      const ms = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 50 * 365 * 86400_000)
      const frac = String(Math.floor(Math.random() * 1e9))
        .padStart(9, '0')
        .slice(0, 1 + (k % 9))
      const tz = ['Z', '+09:00', '-0530', '+0000'][k % 4]!
      const base = new Date(ms).toISOString().slice(0, 19)
      const fast = parseRfc3339(`${base}.${frac}${tz}`)
      const slow: TimeValue | null = general.parse(`${base}.${frac} ${tz}`)
      assert.deepEqual(fast, slow, `${base}.${frac}${tz}`)
    }
  })

  it("Docker's format takes the fast path with the same results as the general parser", () => {
    const docker = compileTimeFormat('%Y-%m-%dT%H:%M:%S.%L')
    const spaced = compileTimeFormat('%Y-%m-%dT%H:%M:%S.%L ')
    if ('error' in docker || 'error' in spaced) throw new Error('format')
    for (const v of [
      '2018-03-09T01:01:44.851160855Z',
      '2026-11-22T07:30:00.5',
      '2026-02-30T07:30:00.1Z',
      '2026-11-22T07:30:00Z',
    ]) {
      for (const opts of [undefined, { offsetSec: 3600 }])
        assert.deepEqual(docker.parse(v, opts), spaced.parse(v, opts), v)
    }
  })

  it('days_from_civil matches Date.UTC', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [1969, 12, 31],
      [2400, 3, 1],
    ] as const) {
      assert.equal(daysFromCivil(y, m, d) * 86400_000, Date.UTC(y, m - 1, d))
    }
  })

  it('parses Time_Offset values', () => {
    assert.equal(parseUtcOffset('+0900'), 32400)
    assert.equal(parseUtcOffset('-06:00'), -21600)
    assert.equal(parseUtcOffset('Z'), 0)
    assert.equal(parseUtcOffset('nine'), undefined)
  })
})

describe('parseRfc3339 prefix cache', () => {
  it('gives the same result as a fresh parse whatever came before', () => {
    const texts = [
      '2026-11-22T07:30:00.5Z',
      '2026-11-22T07:30:00.25Z',
      '2026-11-22T07:30:01.1+09:00',
      '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000.5Z',
      '2024-02-29T23:59:59.999999999Z',
      '2026-11-22T07:30:00.5Z',
      '2026-13-22T07:30:00.5Z',
      // Differing from the cached head only in its first character, or only at the `T`.
      '2026-11-22T07:30:00.5Z',
      '3026-11-22T07:30:00.5Z',
      '3026-11-22X07:30:00.5Z',
      // The cached day with other times: valid, then out of range or not digits after it.
      '2026-11-22T23:59:60.5Z',
      '2026-11-22T24:00:00.5Z',
      '2026-11-22T07:60:00.5Z',
      '2026-11-22T07:30:61.5Z',
      '2026-11-22T0x:30:00.5Z',
      '2026-11-22T07-30:00.5Z',
      '2026-11-22T00:00:00.000000001Z',
    ]
    const expected: (TimeValue | null)[] = [
      { sec: Date.UTC(2026, 10, 22, 7, 30, 0) / 1000, nsec: 500_000_000 },
      { sec: Date.UTC(2026, 10, 22, 7, 30, 0) / 1000, nsec: 250_000_000 },
      { sec: Date.UTC(2026, 10, 22, 7, 30, 1) / 1000 - 9 * 3600, nsec: 100_000_000 },
      null,
      { sec: Date.UTC(2024, 1, 29, 23, 59, 59) / 1000, nsec: 999_999_999 },
      { sec: Date.UTC(2026, 10, 22, 7, 30, 0) / 1000, nsec: 500_000_000 },
      null,
      { sec: Date.UTC(2026, 10, 22, 7, 30, 0) / 1000, nsec: 500_000_000 },
      { sec: Date.UTC(3026, 10, 22, 7, 30, 0) / 1000, nsec: 500_000_000 },
      null,
      { sec: Date.UTC(2026, 10, 22, 23, 59, 59) / 1000 + 1, nsec: 500_000_000 },
      null,
      null,
      null,
      null,
      null,
      { sec: Date.UTC(2026, 10, 22) / 1000, nsec: 1 },
    ]
    assert.deepEqual(texts.map(parseRfc3339), expected)
    assert.deepEqual([...texts].reverse().map(parseRfc3339), [...expected].reverse())
  })
})

describe('strptime: today’s date for a time without one', () => {
  it('follows the clock across UTC midnight and back (the day is cached, not frozen)', () => {
    const at = (iso: string) => Date.parse(iso)
    const day = (now: number) => new Date(strptime('07:30:00', '%H:%M:%S', { now })!.sec * 1000).toISOString()
    assert.equal(day(at('2026-03-01T23:59:59.999Z')), '2026-03-01T07:30:00.000Z')
    assert.equal(day(at('2026-03-02T00:00:00.000Z')), '2026-03-02T07:30:00.000Z')
    assert.equal(day(at('2026-03-02T12:00:00.000Z')), '2026-03-02T07:30:00.000Z')
    assert.equal(day(at('2026-02-28T10:00:00.000Z')), '2026-02-28T07:30:00.000Z')
    assert.equal(day(at('2028-02-29T00:00:00.000Z')), '2028-02-29T07:30:00.000Z')
  })
})

// Conformance with Fluent Bit: the golden records of testdata/ (see testdata/README.md for where each
// expectation comes from) and Fluent Bit's own time-lookup table.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Section } from '@sluice/core/config/model.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { formatJsonRecords } from '../format/json-records.ts'
import { createParserRegistry } from './index.ts'

const dir = join(import.meta.dirname, 'testdata')
const read = (f: string) => readFileSync(join(dir, f), 'utf8')

function section(entries: Record<string, string>, line = 1): Section {
  return {
    kind: 'parser',
    loc: { file: 'seed-000/parsers.conf', line },
    entries: Object.entries(entries).map(([key, value]) => ({ key, value })),
  }
}

// Seed 000's parsers.conf, as written there.
const SEED_000 = [
  section({ Name: 'docker', Format: 'json', Time_Key: 'time', Time_Format: '%Y-%m-%dT%H:%M:%S.%L', Time_Keep: 'off' }),
  section({
    Name: 'cri',
    Format: 'regex',
    Regex: '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$',
    Time_Key: 'time',
    Time_Format: '%Y-%m-%dT%H:%M:%S.%L%z',
  }),
]

function tailToJsonLines(sections: Section[], parserName: string, input: string): string {
  const { registry, diagnostics } = createParserRegistry(sections)
  assert.deepEqual(diagnostics, [])
  const parser = registry.get(parserName)!
  const events: LogEvent[] = input
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const r = parser.parse(line)
      assert.ok(r && r.sec !== undefined, `fixture line must parse with a time: ${line}`)
      return { sec: r.sec, nsec: r.nsec ?? 0, body: r.body }
    })
  return formatJsonRecords(events, 'json_lines', { dateKey: 'date', dateFormat: 'double' })
}

describe('conformance: tail + parser → stdout json_lines, as Fluent Bit 5.1', () => {
  it('stock cri', () => assert.equal(tailToJsonLines([], 'cri', read('cri.log')), read('cri.stock.jsonl')))
  it('seed 000 cri', () => assert.equal(tailToJsonLines(SEED_000, 'cri', read('cri.log')), read('cri.seed000.jsonl')))
  it('stock docker', () => assert.equal(tailToJsonLines([], 'docker', read('docker.log')), read('docker.stock.jsonl')))
  it('seed 000 docker', () =>
    assert.equal(tailToJsonLines(SEED_000, 'docker', read('docker.log')), read('docker.seed000.jsonl')))
})

describe("conformance: Fluent Bit's time-lookup table (tests/internal/parser.c)", () => {
  const table = JSON.parse(read('fluent-bit-time-lookup.json')) as {
    formats: Record<string, string>
    entries: [string, string, number, number, number][]
  }
  // Formats without a year take the current year (the table's dates are February 16th, before any leap day).
  const year = new Date().getUTCFullYear()
  const yearShift = (Date.UTC(year, 0, 1) - Date.UTC(2017, 0, 1)) / 1000
  for (const [name, text, epoch, frac, offset] of table.entries) {
    it(`${name}: ${text}`, () => {
      const entries: Record<string, string> = {
        Name: name,
        Format: 'json',
        Time_Format: table.formats[name]!,
        Time_Keep: 'On',
      }
      if (offset !== 0) {
        const sign = offset < 0 ? '-' : '+'
        const a = Math.abs(offset)
        entries.Time_Offset = `${sign}${String(Math.floor(a / 3600)).padStart(2, '0')}${String((a % 3600) / 60).padStart(2, '0')}`
      }
      const { registry } = createParserRegistry([section(entries)])
      const r = registry.get(name)!.parse(JSON.stringify({ key001: 12345, key002: 0.99, time: text }))
      const noYear = name.startsWith('no_year')
      assert.equal(r?.sec, epoch + (noYear ? yearShift : 0))
      assert.equal(r?.nsec, Math.round(frac * 1e9))
      assert.equal(r?.body.time, text)
    })
  }
})

// More cases from Fluent Bit's tests/internal/parser.c (time_zone_*, mysql_unquoted, tskv, long fraction).
describe("conformance: Fluent Bit's parser unit tests", () => {
  const one = (entries: Record<string, string>) => {
    const { registry, diagnostics } = createParserRegistry([section(entries)])
    return { parser: registry.get(entries.Name!), diagnostics }
  }
  const regexTime = (name: string, fmt: string, zone: string) =>
    one({ Name: name, Format: 'regex', Regex: '^(?<time>.*)$', Time_Format: fmt, Time_Zone: zone }).parser!

  it('time_zone_iana: America/New_York, with and without daylight saving', () => {
    const p = regexTime('iana_ny', '%m/%d/%Y %H:%M:%S', 'America/New_York')
    assert.equal(p.parse('07/17/2017 16:17:03')?.sec, 1500322623)
    assert.equal(p.parse('01/15/2017 15:00:00')?.sec, 1484510400)
  })

  it('time_zone_iana_australia: Australia/Sydney', () => {
    const p = regexTime('iana_sydney', '%m/%d/%Y %H:%M:%S', 'Australia/Sydney')
    assert.equal(p.parse('01/15/2017 15:00:00')?.sec, 1484452800)
    assert.equal(p.parse('07/17/2017 16:17:03')?.sec, 1500272223)
  })

  it('time_zone_conflicts: refused combinations and unknown zones', () => {
    const bad: Record<string, string>[] = [
      { Name: 'iana_without_format', Format: 'regex', Regex: '^(?<time>.*)$', Time_Zone: 'America/New_York' },
      {
        Name: 'iana_with_system_tz',
        Format: 'regex',
        Regex: '^(?<time>.*)$',
        Time_Format: '%m/%d/%Y %H:%M:%S',
        Time_System_Timezone: 'on',
        Time_Zone: 'America/New_York',
      },
      {
        Name: 'iana_with_offset',
        Format: 'regex',
        Regex: '^(?<time>.*)$',
        Time_Format: '%m/%d/%Y %H:%M:%S',
        Time_Offset: '+0000',
        Time_Zone: 'America/New_York',
      },
      {
        Name: 'iana_invalid',
        Format: 'regex',
        Regex: '^(?<time>.*)$',
        Time_Format: '%m/%d/%Y %H:%M:%S',
        Time_Zone: 'America/Not_A_City',
      },
    ]
    for (const entries of bad) {
      const { parser, diagnostics } = one(entries)
      assert.equal(diagnostics.length, 1, entries.Name)
      assert.equal(diagnostics[0]!.option, 'time_zone')
      assert.equal(parser, undefined, 'the parser is not registered')
    }
  })

  it('time_lookup_long_fraction: any number of fraction digits', () => {
    const p = one({ Name: 'generic_N', Format: 'json', Time_Format: '%m/%d/%Y %H:%M:%S.%L' }).parser!
    const r = p.parse(
      JSON.stringify({ time: '10/03/2016 12:21:08.123456789123456789123456789123456789123456789123456789' }),
    )
    assert.equal(r?.sec, 1475497268)
    assert.equal(r?.nsec, 123456789)
  })

  it('mysql_unquoted: quotes removed, MySQL escapes decoded', () => {
    const p = one({
      Name: 'mysql_quoted_stuff',
      Format: 'regex',
      Regex: '^(?<time>[^,]+),(?<key001>.*)$',
      Decode_Field_As: 'mysql_quoted key001',
      Skip_Empty_Values: 'off',
    }).parser!
    for (const [src, want] of [
      ['plain', 'plain'],
      ["''", ''],
      ["'333'", '333'],
      ["'\\n'", '\n'],
      ["'\\r'", '\r'],
      ["'\\''", "'"],
      ["'\\\"'", '"'],
      ["'\\\\'", '\\'],
      ["'abc\\nE\\\\'", 'abc\nE\\'],
    ]) {
      assert.equal(p.parse(`2010-01-01 02:10:22,${src}`)?.body.key001, want, src)
    }
  })

  it('ltsv and tskv', () => {
    const lt = one({ Name: 'ltsv', Format: 'ltsv' }).parser!
    assert.deepEqual(lt.parse('a:b\tc:d')?.body, { a: 'b', c: 'd' })
    assert.deepEqual(lt.parse('a:very long string with whitespace\tc:d')?.body, {
      a: 'very long string with whitespace',
      c: 'd',
    })
    assert.deepEqual(lt.parse('a:b:c\tc:d')?.body, { a: 'b:c', c: 'd' })
    const ts = one({ Name: 'tskv', Format: 'tskv' }).parser!
    assert.deepEqual(ts.parse('a=b\tc=d')?.body, { a: 'b', c: 'd' })
    assert.deepEqual(ts.parse('tskv\ta=b\tc=d')?.body, { a: 'b', c: 'd' })
    assert.deepEqual(ts.parse('a=b=c\tc=d')?.body, { a: 'b=c', c: 'd' })
  })
})

// One [PARSER] section → a checked parser definition, with a Diagnostic (file:line, `parser.<name>`)
// for every problem. Options and defaults as Fluent Bit documents them ("Configuring custom parsers";
// fluent-bit/src/flb_parser.c parser_conf_file): Time_Keep off, Time_Strict on, Skip_Empty_Values on.

import type { Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { type ConfigEntry, type OptionTable, resolveOptions } from '@sluice/core/options.ts'
import { compileTimeFormat, isTimeZone, parseUtcOffset } from '@sluice/core/strptime.ts'
import { type DecoderRule, parseDecoder } from './decoders.ts'
import { type TranslatedRegex, translateRegex } from './onigmo.ts'
import { type FieldType, parseTypes } from './types-cast.ts'

export const parserOptions = {
  name: { type: 'str', required: true, description: 'Name of the parser, referenced by inputs and filters.' },
  format: {
    type: 'str',
    required: true,
    values: ['json', 'regex', 'ltsv', 'logfmt', 'tskv'],
    description: 'Format of the text: json, regex, ltsv, logfmt or tskv (ltsv with `=`).',
  },
  regex: {
    type: 'str',
    description: 'Ruby (Onigmo) regular expression with named groups; required for the regex format.',
  },
  time_key: { type: 'str', default: 'time', description: 'Field holding the record time.' },
  time_format: { type: 'str', description: 'strptime(3) format of the time field; `%L` reads fractional seconds.' },
  time_offset: { type: 'str', description: 'Fixed UTC offset (such as -0600 or +0200) for times without a zone.' },
  time_keep: { type: 'bool', default: 'off', description: 'Keep the time field in the record after parsing it.' },
  time_strict: {
    type: 'bool',
    default: 'on',
    description: 'Reject times that do not match Time_Format entirely (off: accept a matching prefix).',
  },
  time_system_timezone: {
    type: 'bool',
    default: 'off',
    description: 'Interpret times without a zone in the system time zone (TZ); Time_Offset is then ignored.',
  },
  time_zone: {
    type: 'str',
    description: 'IANA time zone (such as Europe/Berlin) for times without a zone, daylight saving included.',
  },
  types: {
    type: 'str',
    description: 'Field types, `key:type …` with integer, float, bool, string or hex (regex, logfmt, ltsv).',
  },
  decode_field: {
    type: 'str',
    multiple: true,
    description:
      '`<json|escaped|escaped_utf8|mysql_quoted> <field> [try_next|do_next]`: append the decoded map to the record.',
  },
  decode_field_as: {
    type: 'str',
    multiple: true,
    description:
      '`<json|escaped|escaped_utf8|mysql_quoted> <field> [try_next|do_next]`: replace the field with its decoded value.',
  },
  skip_empty_values: { type: 'bool', default: 'on', description: 'Leave out empty values (regex format).' },
  logfmt_no_bare_keys: {
    type: 'bool',
    default: 'off',
    description: 'Reject logfmt lines that have keys without values.',
  },
} as const satisfies OptionTable

export type ParserFormat = 'json' | 'regex' | 'ltsv' | 'logfmt' | 'tskv'

export interface ParserDefinition {
  readonly name: string
  readonly format: ParserFormat
  /** The Regex as written (for the fast-path detection), and its translation. */
  readonly regexSource?: string
  readonly regex?: TranslatedRegex
  readonly timeKey: string
  readonly timeFormat?: string
  /** Seconds east of UTC from Time_Offset. */
  readonly timeOffset?: number
  /** IANA zone from Time_Zone. */
  readonly timeZone?: string
  readonly timeKeep: boolean
  readonly timeStrict: boolean
  readonly timeSystemTimezone: boolean
  readonly types?: ReadonlyMap<string, FieldType>
  readonly decoders?: ReadonlyMap<string, readonly DecoderRule[]>
  readonly skipEmptyValues: boolean
  readonly logfmtNoBareKeys: boolean
}

function entryOf(section: Pick<Section, 'entries'>, key: string): ConfigEntry | undefined {
  let found: ConfigEntry | undefined
  for (const e of section.entries) if (e.key.toLowerCase() === key) found = e
  return found
}

/**
 * Checks one [PARSER] section. Returns the definition (undefined when it cannot be built) and the
 * diagnostics, each naming the file, the line and `parser.<name>`.
 */
export function definitionFromSection(section: Pick<Section, 'entries' | 'loc'>): {
  def?: ParserDefinition
  diagnostics: Diagnostic[]
} {
  const rawName = entryOf(section, 'name')?.value.trim()
  const instance = `parser.${rawName || '(unnamed)'}`
  const { values: v, diagnostics } = resolveOptions(parserOptions, section.entries, { instance })
  const at = (key: string) => {
    const e = entryOf(section, key)
    return e?.loc ?? section.loc
  }
  // resolveOptions cannot place a missing option: point at the section header.
  // An invalid value is reported once, not again as "missing".
  const placed = diagnostics
    .filter((d) => !(d.message.startsWith('missing required') && d.option && entryOf(section, d.option)))
    .map((d) => (d.file ? d : { ...d, ...section.loc }))
  const problem = (key: string, message: string) =>
    placed.push({ severity: 'error', message, instance, option: key, ...at(key) })

  let regex: TranslatedRegex | undefined
  if (v.format === 'regex') {
    if (!v.regex) problem('regex', "the regex format needs a 'Regex'")
    else {
      const r = translateRegex(v.regex)
      if ('error' in r) problem('regex', r.error)
      else regex = r
    }
  }
  if (v.time_format !== undefined) {
    const f = compileTimeFormat(v.time_format)
    if ('error' in f) problem('time_format', `invalid Time_Format: ${f.error}`)
  }
  let timeOffset: number | undefined
  if (v.time_offset !== undefined) {
    timeOffset = parseUtcOffset(v.time_offset)
    if (timeOffset === undefined)
      problem('time_offset', `invalid Time_Offset '${v.time_offset}' (examples: +0900, -06:00)`)
  }
  if (v.time_zone !== undefined && v.time_zone !== '') {
    // As Fluent Bit refuses them (flb_parser_create_with_time_zone).
    if (v.time_format === undefined) problem('time_zone', 'Time_Zone needs a Time_Format')
    else if (v.time_system_timezone) problem('time_zone', 'Time_Zone cannot be combined with Time_System_Timezone')
    else if (v.time_offset !== undefined) problem('time_zone', 'Time_Zone cannot be combined with Time_Offset')
    else if (!isTimeZone(v.time_zone)) problem('time_zone', `invalid or unavailable Time_Zone '${v.time_zone}'`)
  }
  let types: Map<string, FieldType> | undefined
  if (v.types !== undefined) {
    const t = parseTypes(v.types)
    for (const e of t.errors) problem('types', `invalid Types: ${e}`)
    if (t.types.size > 0) types = t.types
  }
  let decoders: Map<string, DecoderRule[]> | undefined
  // Rules keep the order they were written in, across Decode_Field and Decode_Field_As.
  for (const e of section.entries) {
    const k = e.key.toLowerCase()
    if (k !== 'decode_field' && k !== 'decode_field_as') continue
    const d = parseDecoder(k === 'decode_field_as', e.value)
    if ('error' in d) {
      placed.push({ severity: 'error', message: d.error, instance, option: e.key, ...(e.loc ?? section.loc) })
      continue
    }
    decoders ??= new Map()
    const rules = decoders.get(d.key) ?? []
    rules.push(d.rule)
    decoders.set(d.key, rules)
  }
  if (placed.some((d) => d.severity === 'error') || !v.name || !v.format) return { diagnostics: placed }
  return {
    def: {
      name: v.name,
      format: v.format,
      regexSource: v.regex,
      regex,
      timeKey: v.time_key,
      timeFormat: v.time_format,
      // Fluent Bit ignores Time_Offset when the system zone is used.
      timeOffset: v.time_system_timezone ? undefined : timeOffset,
      timeZone: v.time_zone || undefined,
      timeKeep: v.time_keep,
      timeStrict: v.time_strict,
      timeSystemTimezone: v.time_system_timezone,
      types,
      decoders,
      skipEmptyValues: v.skip_empty_values,
      logfmtNoBareKeys: v.logfmt_no_bare_keys,
    },
    diagnostics: placed,
  }
}

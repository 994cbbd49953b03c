// One option table drives parsing, unknown-key rejection, `--help` and the generated docs
// (modelled on Fluent Bit's config_map, fluent-bit/src/flb_config_map.c).
//
// Keys are matched case-insensitively, as Fluent Bit does. Values arrive as the strings a user wrote
// ("32k", "2s", "On") and leave typed. Every problem becomes a Diagnostic naming file, line, plugin
// instance and option; resolution never throws, so a config check can report all errors at once.

import type { Diagnostic, SourceLocation } from './diagnostics.ts'

export type OptionType =
  | 'str' // string as written
  | 'int' // integer
  | 'double' // floating point
  | 'bool' // On/Off, true/false, yes/no, 1/0
  | 'size' // bytes: 32k, 5MB, 1G (1024-based, as flb_utils_size_to_bytes)
  | 'time' // seconds: 10, 1.5, 2s, 500ms, 5m, 1h, 1d (as flb_utils_time_to_seconds, plus ms)
  | 'clist' // comma-separated list, trimmed
  | 'slist' // whitespace-separated list; `maxSplit` limits the number of splits (Fluent Bit's SLIST_N)

export interface OptionSpec {
  readonly type: OptionType
  readonly description: string
  /** Default as a user would write it (parsed like user input). Omitted: the option is undefined. */
  readonly default?: string
  /** The key may repeat; the value becomes an array in the order written. */
  readonly multiple?: boolean
  /** Allowed values (case-insensitive; the canonical spelling from this list is returned). */
  readonly values?: readonly string[]
  /** Other spellings accepted for this key (e.g. `whitelist_key` for `allowlist_key`). */
  readonly aliases?: readonly string[]
  readonly required?: boolean
  /** For `slist`: at most this many splits (the last element keeps the rest of the line). */
  readonly maxSplit?: number
  /** Accepted and documented but without effect in Sluice; `check` warns with this reason. */
  readonly ignored?: string
  /**
   * Options of one group are also listed together, in the order written, as `[name, value]` pairs
   * under `values[ORDERED][group]` (modify applies its rules in config order across option names).
   */
  readonly group?: string
}

/** Key of the per-group ordered entries in resolved values (see OptionSpec.group). */
export const ORDERED: unique symbol = Symbol('ordered option entries')

/** The `[name, value]` pairs of a group, in the order they were written (empty when none). */
export function orderedEntries(values: object, group: string): [string, unknown][] {
  const all = (values as { [ORDERED]?: Record<string, [string, unknown][]> })[ORDERED]
  return all?.[group] ?? []
}

export type OptionTable = { readonly [key: string]: OptionSpec }

type Scalar<S extends OptionSpec> = S['type'] extends 'int' | 'double' | 'size' | 'time'
  ? number
  : S['type'] extends 'bool'
    ? boolean
    : S['type'] extends 'clist' | 'slist'
      ? string[]
      : S['values'] extends readonly (infer V)[]
        ? V
        : string

type Value<S extends OptionSpec> = S['multiple'] extends true
  ? Scalar<S>[]
  : S extends { default: string }
    ? Scalar<S>
    : S extends { required: true }
      ? Scalar<S>
      : Scalar<S> | undefined

/** The typed values of an option table: `OptionValues<typeof table>`. */
export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]: Value<T[K]> }

/** One `key value` pair as written in a config, with where it was written. */
export interface ConfigEntry {
  readonly key: string
  readonly value: string
  readonly loc?: SourceLocation
}

export interface ResolveContext {
  /** Plugin instance id for messages, e.g. `filter.grep.0` or `input:tail:tail.0`. */
  readonly instance: string
  /** Keys that are handled elsewhere (the engine's common options such as Match or Tag). */
  readonly passThrough?: (key: string) => boolean
}

export interface Resolved<T extends OptionTable> {
  readonly values: OptionValues<T>
  readonly diagnostics: Diagnostic[]
  /** Entries whose key was accepted by `passThrough`. */
  readonly passed: ConfigEntry[]
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
}
const TIME_UNITS: Record<string, number> = { '': 1, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }
const TRUE = new Set(['on', 'true', 'yes', '1'])
const FALSE = new Set(['off', 'false', 'no', '0'])

/** Parses a size such as `32k`, `5MB`, `1.5G` into bytes; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (!m) return undefined
  const unit = SIZE_UNITS[m[2]!.toLowerCase()]
  if (unit === undefined) return undefined
  return Math.floor(Number(m[1]) * unit)
}

/** Parses a duration such as `10`, `1.5`, `2s`, `500ms`, `5m`, `1h`, `1d` into seconds. */
export function parseTime(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (!m) return undefined
  const unit = TIME_UNITS[m[2]!.toLowerCase()]
  if (unit === undefined) return undefined
  return Number(m[1]) * unit
}

/** Parses Fluent Bit's booleans (On/Off, true/false, yes/no, 1/0); undefined when it is none. */
export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase()
  if (TRUE.has(t)) return true
  if (FALSE.has(t)) return false
  return undefined
}

/** Splits on runs of whitespace, at most `maxSplit` times (the last part keeps the rest). */
export function splitWords(text: string, maxSplit = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = []
  let rest = text.trim()
  while (rest.length > 0) {
    if (out.length >= maxSplit) {
      out.push(rest)
      break
    }
    const m = /\s+/.exec(rest)
    if (!m) {
      out.push(rest)
      break
    }
    out.push(rest.slice(0, m.index))
    rest = rest.slice(m.index + m[0].length)
  }
  return out
}

/** Parses one raw value for a spec. Returns the value or an error message (why it is wrong). */
export function parseOptionValue(spec: OptionSpec, raw: string): { value: unknown } | { error: string } {
  const text = raw.trim()
  switch (spec.type) {
    case 'str': {
      if (spec.values) {
        const hit = spec.values.find((v) => v.toLowerCase() === text.toLowerCase())
        if (hit === undefined) return { error: `'${text}' is not one of ${spec.values.join(', ')}` }
        return { value: hit }
      }
      return { value: text }
    }
    case 'int': {
      if (!/^[-+]?\d+$/.test(text)) return { error: `'${text}' is not an integer` }
      return { value: Number(text) }
    }
    case 'double': {
      const n = Number(text)
      if (text === '' || !Number.isFinite(n)) return { error: `'${text}' is not a number` }
      return { value: n }
    }
    case 'bool': {
      const b = parseBool(text)
      if (b === undefined) return { error: `'${text}' is not a boolean (use On/Off, true/false, yes/no)` }
      return { value: b }
    }
    case 'size': {
      const n = parseSize(text)
      if (n === undefined) return { error: `'${text}' is not a size (examples: 512, 32k, 5MB, 1G)` }
      return { value: n }
    }
    case 'time': {
      const n = parseTime(text)
      if (n === undefined) return { error: `'${text}' is not a duration (examples: 10, 1.5, 500ms, 2s, 5m, 1h)` }
      return { value: n }
    }
    case 'clist':
      return {
        value: text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      }
    case 'slist':
      return { value: splitWords(text, spec.maxSplit) }
  }
}

/** Finds the table key for a config key (case-insensitive, aliases included). */
export function lookupOption(table: OptionTable, key: string): string | undefined {
  const k = key.toLowerCase()
  for (const [name, spec] of Object.entries(table)) {
    if (name.toLowerCase() === k) return name
    if (spec.aliases?.some((a) => a.toLowerCase() === k)) return name
  }
  return undefined
}

/**
 * Resolves config entries against a table: typed values with defaults applied, plus one diagnostic
 * per problem (unknown option, bad value, repeated single-valued option, missing required option).
 */
export function resolveOptions<T extends OptionTable>(
  table: T,
  entries: readonly ConfigEntry[],
  ctx: ResolveContext,
): Resolved<T> {
  const diagnostics: Diagnostic[] = []
  const passed: ConfigEntry[] = []
  const values: Record<string, unknown> = {}
  const seen = new Map<string, ConfigEntry>()

  for (const entry of entries) {
    const name = lookupOption(table, entry.key)
    if (name === undefined) {
      if (ctx.passThrough?.(entry.key.toLowerCase())) {
        passed.push(entry)
        continue
      }
      const near = closest(entry.key, Object.keys(table))
      diagnostics.push({
        severity: 'error',
        message: `unknown option '${entry.key}'${near ? ` (did you mean '${near}'?)` : ''}`,
        instance: ctx.instance,
        option: entry.key,
        ...entry.loc,
      })
      continue
    }
    const spec = table[name]!
    const parsed = parseOptionValue(spec, entry.value)
    if ('error' in parsed) {
      diagnostics.push({
        severity: 'error',
        message: `invalid value for '${entry.key}': ${parsed.error}`,
        instance: ctx.instance,
        option: entry.key,
        ...entry.loc,
      })
      continue
    }
    if (spec.ignored) {
      diagnostics.push({
        severity: 'warning',
        message: `option '${entry.key}' is accepted but has no effect in Sluice: ${spec.ignored}`,
        instance: ctx.instance,
        option: entry.key,
        ...entry.loc,
      })
    }
    if (spec.group) {
      const all = ((values as { [ORDERED]?: Record<string, [string, unknown][]> })[ORDERED] ??= {})
      ;(all[spec.group] ??= []).push([name, parsed.value])
    }
    if (spec.multiple) {
      ;((values[name] as unknown[] | undefined) ?? ((values[name] = [] as unknown[]) as unknown[])).push(parsed.value)
    } else {
      const before = seen.get(name)
      if (before) {
        diagnostics.push({
          severity: 'warning',
          message: `option '${entry.key}' is set more than once; the last value wins${before.loc ? ` (first set at line ${before.loc.line})` : ''}`,
          instance: ctx.instance,
          option: entry.key,
          ...entry.loc,
        })
      }
      seen.set(name, entry)
      values[name] = parsed.value
    }
  }

  for (const [name, spec] of Object.entries(table)) {
    if (name in values) continue
    if (spec.multiple) {
      values[name] = []
      if (spec.default !== undefined) {
        const parsed = parseOptionValue(spec, spec.default)
        if ('value' in parsed) (values[name] as unknown[]).push(parsed.value)
      }
    } else if (spec.default !== undefined) {
      const parsed = parseOptionValue(spec, spec.default)
      if ('error' in parsed) throw new Error(`option table bug: default of '${name}': ${parsed.error}`)
      values[name] = parsed.value
    } else {
      values[name] = undefined
    }
    if (spec.required && (values[name] === undefined || (spec.multiple && (values[name] as unknown[]).length === 0))) {
      diagnostics.push({
        severity: 'error',
        message: `missing required option '${name}'`,
        instance: ctx.instance,
        option: name,
      })
    }
  }
  return { values: values as OptionValues<T>, diagnostics, passed }
}

/** The nearest known key by edit distance, for "did you mean" hints (null when nothing is close). */
export function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null
  let bestD = Number.POSITIVE_INFINITY
  const k = key.toLowerCase()
  for (const cand of known) {
    const d = editDistance(k, cand.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = cand
    }
  }
  return bestD <= Math.max(2, Math.floor(k.length / 4)) ? best : null
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}

/** Renders an option table as a Markdown table (used by `sluice plugins NAME` and docs/plugins.md). */
export function optionTableMarkdown(table: OptionTable): string {
  const rows = Object.entries(table).map(([name, s]) => {
    const type = s.values ? s.values.join(' \\| ') : s.type
    const extra = [
      s.multiple ? 'repeatable' : '',
      s.required ? 'required' : '',
      s.aliases?.length ? `alias: ${s.aliases.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')
    const desc = (
      s.description +
      (extra ? ` (${extra})` : '') +
      (s.ignored ? ` _No effect in Sluice: ${s.ignored}_` : '')
    ).replace(/\|/g, '\\|')
    return `| \`${name}\` | ${type} | ${s.default === undefined ? '' : `\`${s.default}\``} | ${desc} |`
  })
  return ['| option | type | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

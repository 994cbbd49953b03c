// Builds the multiline registry: built-in parsers (cri, docker, go, java, python, ruby) plus the
// [MULTILINE_PARSER] sections of the config (YAML `multiline_parsers`).
//
// Callers push records whose content key holds the text: tail pushes `{log: "<raw line>"}` (the cri
// and docker parsers parse it themselves), the multiline filter pushes whole records.

import type { Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { type OptionTable, resolveOptions } from '@sluice/core/options.ts'
import type { ParserRegistry } from '../parsers/types.ts'
import { builtinParsers } from './builtins.ts'
import type { MultilineParserDef } from './definition.ts'
import { Joiner } from './joiner.ts'
import { compileRules } from './rules.ts'
import type { JoinerOptions, MultilineRegistry } from './types.ts'

/** Options of a [MULTILINE_PARSER] section (Fluent Bit's multiline-parsing documentation). */
export const multilineParserOptions = {
  name: { type: 'str', required: true, description: 'Unique name of the multiline parser.' },
  type: {
    type: 'str',
    default: 'regex',
    values: ['regex', 'endswith', 'equal', 'eq'],
    description: 'Multiline mode: `regex` rules, or compare the content with match_string (`endswith`, `equal`).',
  },
  parser: {
    type: 'str',
    description: 'A [PARSER] applied to the incoming text before the rules; the rules then match key_content.',
  },
  key_content: {
    type: 'str',
    description: 'Key of a structured record holding the text to match and concatenate.',
  },
  key_pattern: { type: 'str', description: 'Key compared with match_string instead of key_content (`equal`).' },
  key_group: { type: 'str', description: 'Key whose value splits records into independent streams.' },
  match_string: { type: 'str', description: 'Text for `endswith` / `equal` modes.' },
  negate: { type: 'bool', default: 'false', description: 'Invert the `endswith` / `equal` comparison.' },
  flush_timeout: {
    type: 'int',
    default: '5000',
    description: 'Milliseconds to wait for continuation lines before flushing a non-terminated message.',
  },
  rule: {
    type: 'str',
    multiple: true,
    description: 'A rule `"STATE" "/REGEX/" "NEXT_STATE"` (normally parsed by the config loader into rules).',
  },
} as const satisfies OptionTable

function fromSection(
  section: Section,
  parsers: ParserRegistry | undefined,
  diagnostics: Diagnostic[],
): MultilineParserDef | undefined {
  const instance = `multiline_parser.${section.entries.find((e) => e.key.toLowerCase() === 'name')?.value ?? '?'}`
  const { values, diagnostics: ds } = resolveOptions(multilineParserOptions, section.entries, { instance })
  const at = { file: section.loc.file, line: section.loc.line }
  for (const d of ds) diagnostics.push({ ...at, ...d })
  if (!values.name) return undefined
  const type = values.type === 'eq' ? 'equal' : values.type
  const base = {
    name: values.name,
    type,
    negate: values.negate,
    flushMs: values.flush_timeout,
    keyContent: values.key_content ?? 'log',
    keyGroup: values.key_group,
    keyPattern: values.key_pattern,
    matchString: values.match_string,
  } as const
  let preParse: MultilineParserDef['preParse']
  if (values.parser) {
    const p = parsers?.get(values.parser)
    if (!p && parsers) {
      diagnostics.push({
        severity: 'error',
        ...at,
        instance,
        option: 'parser',
        message: `unknown parser '${values.parser}' (known: ${parsers.names().join(', ') || 'none'})`,
      })
      return undefined
    }
    if (!parsers) {
      diagnostics.push({
        severity: 'warning',
        ...at,
        instance,
        option: 'parser',
        message: `parser '${values.parser}' cannot be resolved: the multiline registry was built without the parser registry (records will not match this multiline parser)`,
      })
    }
    preParse = (text) => {
      const r = p?.parse(text)
      return r ? { body: r.body, sec: r.sec, nsec: r.nsec } : null
    }
  }
  if (type === 'regex') {
    const specs = [...(section.rules ?? [])]
    for (const raw of values.rule) {
      const m = /^\s*"([^"]*)"\s+"(.*)"\s+"([^"]*)"\s*$/.exec(raw)
      if (!m) {
        diagnostics.push({ severity: 'error', ...at, instance, option: 'rule', message: `cannot parse rule '${raw}'` })
        return undefined
      }
      specs.push({ state: m[1]!, regex: m[2]!, next: m[3]! })
    }
    try {
      return { ...base, rules: compileRules(specs), preParse }
    } catch (err) {
      diagnostics.push({ severity: 'error', ...at, instance, option: 'rule', message: (err as Error).message })
      return undefined
    }
  }
  if (values.match_string === undefined) {
    diagnostics.push({
      severity: 'error',
      ...at,
      instance,
      option: 'match_string',
      message: `type '${type}' needs match_string`,
    })
    return undefined
  }
  return { ...base, preParse }
}

/**
 * `parsers` resolves the `parser` option of custom sections; pass the parser registry whenever a
 * config may have one (without it such sections get a warning and never match).
 */
export function createMultilineRegistry(
  sections: readonly Section[],
  parsers?: ParserRegistry,
): {
  registry: MultilineRegistry
  diagnostics: Diagnostic[]
} {
  const diagnostics: Diagnostic[] = []
  const defs = new Map<string, MultilineParserDef>()
  for (const d of builtinParsers()) defs.set(d.name, d)
  for (const s of sections) {
    const def = fromSection(s, parsers, diagnostics)
    if (!def) continue
    if (defs.has(def.name)) {
      diagnostics.push({
        severity: 'warning',
        file: s.loc.file,
        line: s.loc.line,
        instance: `multiline_parser.${def.name}`,
        message: `multiline parser '${def.name}' is defined again; the later definition wins`,
      })
    }
    defs.set(def.name, def)
  }
  const registry: MultilineRegistry & { createJoiner<T>(names: readonly string[], opts?: JoinerOptions): Joiner<T> } = {
    names: () => [...defs.keys()],
    has: (name) => defs.has(name.trim()),
    create: (names, opts) => registry.createJoiner(names, opts),
    createJoiner<T>(names: readonly string[], opts?: JoinerOptions): Joiner<T> {
      const list = names.map((n) => {
        const d = defs.get(n.trim())
        if (!d)
          throw new Error(
            `cannot create multiline joiner: unknown multiline parser '${n}' (known: ${[...defs.keys()].join(', ')})`,
          )
        return d
      })
      return new Joiner<T>(list, opts)
    },
  }
  return { registry, diagnostics }
}

/** The concrete joiner when the registry is ours (the multiline filter needs its token tracking). */
export function createTrackedJoiner<T>(
  registry: MultilineRegistry,
  names: readonly string[],
  opts?: JoinerOptions,
): Joiner<T> {
  const r = registry as Partial<{ createJoiner<U>(n: readonly string[], o?: JoinerOptions): Joiner<U> }>
  if (typeof r.createJoiner === 'function') return r.createJoiner<T>(names, opts)
  const j = registry.create(names, opts)
  if (j instanceof Joiner) return j as Joiner<T>
  throw new Error('cannot create multiline joiner: the registry does not track tokens')
}

export { Joiner } from './joiner.ts'

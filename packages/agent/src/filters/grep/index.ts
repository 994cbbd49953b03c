// grep: keep or drop records by regular expressions on their fields (Fluent Bit filter_grep).
//
// `Regex KEY REGEX` keeps records whose KEY matches; `Exclude KEY REGEX` drops records whose KEY
// matches. KEY is a record accessor (`log`, `$kubernetes['labels']['app']`).
// Logical_Op `legacy` (default): every rule must let the record through (a Regex whose key is
// missing drops it; an Exclude whose key is missing keeps it). `and` / `or` combine rules of one
// kind: Regex rules keep when all / any match; Exclude rules drop when all / any match.
// Values that are strings are matched; numbers and booleans are matched as their JSON text (Fluent
// Bit matches only strings there; matching `status 5\d\d` on a number is what users expect).

import { parseRecordAccessor, type RecordAccessor } from '@sluice/core/record-accessor.ts'
import { defineFilter, type LogEvent } from '../../plugin.ts'
import { matchText, regex, splitArgs } from '../args.ts'

interface Rule {
  ra: RecordAccessor
  re: RegExp
  /** The pattern itself when it is plain text (no metacharacters, no flags): matched with includes(). */
  literal: string | undefined
  exclude: boolean
}

/** Characters with a meaning in a JavaScript pattern (outside them, a character matches itself). */
const META = /[\\^$.|?*+()[\]{}]/

function compile(option: string, text: string, exclude: boolean): Rule {
  const [key, pattern] = splitArgs(text, 2)
  if (!key || pattern === undefined) throw new Error(`cannot configure '${option} ${text}': expected KEY REGEX`)
  let ra: RecordAccessor
  try {
    ra = parseRecordAccessor(key)
  } catch (err) {
    throw new Error(`cannot configure '${option} ${text}': ${(err as Error).message}`)
  }
  const re = regex(option, pattern)
  // fast path: a plain-text pattern (`Exclude log healthz`) is a substring test: the same answer as
  // the regex, without a RegExp call per record.
  const literal = re.flags === '' && !META.test(re.source) ? re.source : undefined
  return { ra, re, literal, exclude }
}

function matches(rule: Rule, body: unknown): boolean | undefined {
  const t = matchText(rule.ra.get(body))
  if (t === undefined) return undefined
  if (rule.literal !== undefined) return t.includes(rule.literal)
  rule.re.lastIndex = 0
  return rule.re.test(t)
}

export default defineFilter({
  name: 'grep',
  description: 'Keep or drop records whose field matches a regular expression.',
  options: {
    regex: {
      type: 'str',
      multiple: true,
      description: '`KEY REGEX`: keep only records where the value of KEY matches REGEX. KEY may be a record accessor.',
    },
    exclude: {
      type: 'str',
      multiple: true,
      description: '`KEY REGEX`: drop records where the value of KEY matches REGEX. KEY may be a record accessor.',
    },
    logical_op: {
      type: 'str',
      values: ['legacy', 'and', 'or'],
      default: 'legacy',
      description:
        'How rules combine: `legacy` (each rule must pass), `and`, `or` (Regex and Exclude cannot be mixed with and/or).',
    },
  },
  init(opts) {
    const rules = [
      ...opts.regex.map((r) => compile('regex', r, false)),
      ...opts.exclude.map((r) => compile('exclude', r, true)),
    ]
    const op = opts.logical_op
    if (op !== 'legacy' && opts.regex.length > 0 && opts.exclude.length > 0) {
      throw new Error(`cannot configure grep: Regex and Exclude cannot be used together with Logical_Op ${op}`)
    }
    const exclude = opts.exclude.length > 0
    let keep: (body: unknown) => boolean
    if (op === 'legacy') {
      keep = (body) => {
        for (const r of rules) {
          const m = matches(r, body)
          if (r.exclude ? m === true : m !== true) return false
        }
        return true
      }
    } else if (op === 'and') {
      keep = (body) => {
        const all = rules.every((r) => matches(r, body) === true)
        return exclude ? !all : all
      }
    } else {
      keep = (body) => {
        const any = rules.some((r) => matches(r, body) === true)
        return exclude ? !any : any
      }
    }
    return { keep, none: rules.length === 0 }
  },
  filter(events, _tag, s) {
    if (s.none) return events
    const out: LogEvent[] = []
    for (const e of events) if (s.keep(e.body)) out.push(e)
    return out
  },
})

// modify: change records with rules, applied when all conditions hold (Fluent Bit filter_modify).
//
// Keys in rules are top-level keys (as in Fluent Bit); keys in Key_exists, Key_does_not_exist and
// the Key_value_* conditions may be record accessors (`$kubernetes['namespace_name']`). Values set
// by Set/Add are strings, as Fluent Bit writes them.
//
// Rules apply in the order they are written, across option names, as in Fluent Bit (the option
// table keeps that order for the `rules` group).

import { orderedEntries } from '@sluice/core/options.ts'
import type { Body } from '@sluice/core/record.ts'
import { parseRecordAccessor } from '@sluice/core/record-accessor.ts'
import { defineFilter } from '../../plugin.ts'
import { expectArgs, matchText, regex, splitArgs, wildcard } from '../args.ts'
import { withKeyRenamed, withKeysMoved, withoutKeys } from '../rebuild.ts'

/** A rule changes the record in place, or returns the record that replaces it (key removals and renames). */
type Rule = (b: Body) => Body | undefined
type Cond = (b: Body) => boolean

const own = (b: Body, k: string) => Object.hasOwn(b, k)

function conditions(texts: readonly string[]): Cond[] {
  return texts.map((text) => {
    const [name, a, b] = splitArgs(text, 3)
    const kind = (name ?? '').toLowerCase()
    const need = (n: number, form: string) => {
      if ((n >= 1 && a === undefined) || (n >= 2 && b === undefined) || (n === 1 && b !== undefined)) {
        throw new Error(`cannot configure 'condition ${text}': ${name} expects ${form}`)
      }
    }
    const acc = () => parseRecordAccessor(a!)
    switch (kind) {
      case 'key_exists': {
        need(1, 'KEY')
        const ra = acc()
        return (r) => ra.get(r) !== undefined
      }
      case 'key_does_not_exist': {
        need(1, 'KEY')
        const ra = acc()
        return (r) => ra.get(r) === undefined
      }
      case 'a_key_matches': {
        need(1, 'REGEX')
        const re = regex('condition', a!)
        return (r) => Object.keys(r).some((k) => re.test(k))
      }
      case 'no_key_matches': {
        need(1, 'REGEX')
        const re = regex('condition', a!)
        return (r) => !Object.keys(r).some((k) => re.test(k))
      }
      case 'key_value_equals': {
        need(2, 'KEY VALUE')
        const ra = acc()
        return (r) => matchText(ra.get(r)) === b
      }
      case 'key_value_does_not_equal': {
        need(2, 'KEY VALUE')
        const ra = acc()
        return (r) => {
          const v = ra.get(r)
          return v !== undefined && matchText(v) !== b
        }
      }
      case 'key_value_matches': {
        need(2, 'KEY REGEX')
        const ra = acc()
        const re = regex('condition', b!)
        return (r) => {
          const t = matchText(ra.get(r))
          return t !== undefined && re.test(t)
        }
      }
      case 'key_value_does_not_match': {
        need(2, 'KEY REGEX')
        const ra = acc()
        const re = regex('condition', b!)
        return (r) => {
          const v = ra.get(r)
          if (v === undefined) return false
          const t = matchText(v)
          return t === undefined || !re.test(t)
        }
      }
      case 'matching_keys_have_matching_values':
      case 'matching_keys_do_not_have_matching_values': {
        need(2, 'KEY_REGEX VALUE_REGEX')
        const kre = regex('condition', a!)
        const vre = regex('condition', b!)
        const want = kind === 'matching_keys_have_matching_values'
        return (r) => {
          let seen = false
          for (const k of Object.keys(r)) {
            if (!kre.test(k)) continue
            seen = true
            const t = matchText(r[k])
            const hit = t !== undefined && vre.test(t)
            if (hit !== want) return false
          }
          return seen
        }
      }
      default:
        throw new Error(
          `cannot configure 'condition ${text}': unknown condition '${name}' (Key_exists, Key_does_not_exist, A_key_matches, No_key_matches, Key_value_equals, Key_value_does_not_equal, Key_value_matches, Key_value_does_not_match, Matching_keys_have_matching_values, Matching_keys_do_not_have_matching_values)`,
        )
    }
  })
}

const two = (o: string, t: string) => expectArgs(o, t, 2, 'KEY VALUE')
const one = (o: string, t: string) => {
  const p = splitArgs(t, 2)
  if (p.length !== 1) throw new Error(`cannot configure '${o} ${t}': expected one KEY`)
  return p[0]!
}

const CONDITION = (description: string) => ({ type: 'str', multiple: true, description }) as const
const RULE = (description: string) => ({ type: 'str', multiple: true, group: 'rules', description }) as const

const RULE_KINDS = [
  'rename',
  'hard_rename',
  'copy',
  'hard_copy',
  'set',
  'add',
  'remove',
  'remove_wildcard',
  'remove_regex',
  'move_to_start',
  'move_to_end',
] as const
type RuleKind = (typeof RULE_KINDS)[number]

function compileRule(kind: RuleKind, t: string): Rule {
  switch (kind) {
    case 'rename': {
      const [from, to] = two('rename', t) as [string, string]
      return (b) => (own(b, from) && !own(b, to) ? withKeyRenamed(b, from, to) : undefined)
    }
    case 'hard_rename': {
      const [from, to] = two('hard_rename', t) as [string, string]
      return (b) => (own(b, from) ? withKeyRenamed(b, from, to) : undefined)
    }
    case 'copy': {
      const [from, to] = two('copy', t) as [string, string]
      return (b) => {
        if (own(b, from) && !own(b, to)) b[to] = structuredClone(b[from])
        return undefined
      }
    }
    case 'hard_copy': {
      const [from, to] = two('hard_copy', t) as [string, string]
      return (b) => {
        if (own(b, from)) b[to] = structuredClone(b[from])
        return undefined
      }
    }
    case 'set': {
      const [k, v] = two('set', t) as [string, string]
      return (b) => {
        b[k] = v
        return undefined
      }
    }
    case 'add': {
      const [k, v] = two('add', t) as [string, string]
      return (b) => {
        if (!own(b, k)) b[k] = v
        return undefined
      }
    }
    case 'remove': {
      const k = one('remove', t)
      return (b) => (own(b, k) ? withoutKeys(b, (x) => x === k) : undefined)
    }
    case 'remove_wildcard': {
      const m = wildcard(one('remove_wildcard', t))
      return (b) => withoutKeys(b, m)
    }
    case 'remove_regex': {
      const re = regex('remove_regex', one('remove_regex', t))
      return (b) => withoutKeys(b, (k) => re.test(k))
    }
    case 'move_to_start': {
      const m = wildcard(one('move_to_start', t))
      return (b) => withKeysMoved(b, m, true)
    }
    case 'move_to_end': {
      const m = wildcard(one('move_to_end', t))
      return (b) => withKeysMoved(b, m, false)
    }
  }
}

export default defineFilter({
  name: 'modify',
  description: 'Set, add, remove, rename and copy fields, optionally under conditions.',
  options: {
    set: RULE('`KEY VALUE`: set KEY to VALUE, overwriting it.'),
    add: RULE('`KEY VALUE`: set KEY to VALUE only if KEY does not exist.'),
    remove: RULE('`KEY`: remove KEY.'),
    remove_wildcard: RULE('`WILDCARD`: remove every key matching the wildcard (`kubernetes_*`).'),
    remove_regex: RULE('`REGEX`: remove every key matching the regular expression.'),
    rename: RULE('`KEY NEW_KEY`: rename KEY to NEW_KEY if KEY exists and NEW_KEY does not.'),
    hard_rename: RULE('`KEY NEW_KEY`: rename KEY to NEW_KEY if KEY exists, overwriting NEW_KEY.'),
    copy: RULE('`KEY NEW_KEY`: copy the value of KEY to NEW_KEY if KEY exists and NEW_KEY does not.'),
    hard_copy: RULE('`KEY NEW_KEY`: copy the value of KEY to NEW_KEY if KEY exists, overwriting NEW_KEY.'),
    move_to_start: RULE('`WILDCARD`: move matching keys to the start of the record.'),
    move_to_end: RULE('`WILDCARD`: move matching keys to the end of the record.'),
    condition: CONDITION(
      '`NAME ARGS`: apply the rules only when every condition holds. Key_exists KEY, Key_does_not_exist KEY, A_key_matches REGEX, No_key_matches REGEX, Key_value_equals KEY VALUE, Key_value_does_not_equal KEY VALUE, Key_value_matches KEY REGEX, Key_value_does_not_match KEY REGEX, Matching_keys_have_matching_values KEY_REGEX VALUE_REGEX, Matching_keys_do_not_have_matching_values KEY_REGEX VALUE_REGEX.',
    ),
  },
  init(o) {
    const rules: Rule[] = []
    // Fluent Bit applies rules in the order written, across option names: the option table keeps
    // that order for the `rules` group. Without it (values built by hand), kinds apply in RULE_KINDS order.
    let ordered = orderedEntries(o, 'rules') as [RuleKind, string][]
    if (ordered.length === 0) ordered = RULE_KINDS.flatMap((k) => o[k].map((t): [RuleKind, string] => [k, t]))
    for (const [kind, text] of ordered) rules.push(compileRule(kind, text))
    return { rules, conds: conditions(o.condition) }
  },
  filter(events, _tag, { rules, conds }) {
    // fast path: a plain loop over a handful of closures per record
    outer: for (const e of events) {
      let b = e.body
      for (const c of conds) if (!c(b)) continue outer
      for (const r of rules) b = r(b) ?? b
      e.body = b
    }
    return events
  },
})

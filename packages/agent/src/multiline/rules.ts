// Regex state machines of multiline parsers (Fluent Bit's flb_ml_rule.c): each rule belongs to one
// or more states and names the state that follows. A message starts with a line that matches a rule
// of `start_state`; each further line must match a rule of the state the previous rule led to.
// When a matched rule leads to a state that contains a start rule, the message is complete (Fluent
// Bit's try_flushing_buffer); otherwise it completes with the first line that does not continue it,
// or on the flush timeout.

import { compileOnigmo } from './regex.ts'

export interface RuleSpec {
  /** One or more states, comma-separated: `"start_state, java_start_exception"`. */
  readonly state: string
  readonly regex: string
  readonly next: string
}

export interface CompiledRule {
  readonly index: number
  readonly states: readonly string[]
  readonly regex: RegExp
  readonly next: string
  readonly start: boolean
  /** Rules that may follow this one (those whose states include `next`). */
  follow: CompiledRule[]
  /** True when a rule that may follow is a start rule: the message ends with this rule. */
  ends: boolean
}

export interface CompiledRules {
  readonly rules: readonly CompiledRule[]
  readonly starts: readonly CompiledRule[]
}

/** Compiles rules; throws `cannot compile rule #N …` naming the bad one. */
export function compileRules(specs: readonly RuleSpec[]): CompiledRules {
  const rules: CompiledRule[] = specs.map((r, index) => {
    const states = r.state
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    let regex: RegExp
    try {
      regex = compileOnigmo(r.regex)
    } catch (err) {
      throw new Error(`cannot compile rule #${index + 1} (state '${r.state}'): ${(err as Error).message}`)
    }
    return { index, states, regex, next: r.next.trim(), start: states.includes('start_state'), follow: [], ends: false }
  })
  for (const r of rules) {
    r.follow = rules.filter((o) => o.states.includes(r.next))
    r.ends = r.follow.some((o) => o.start)
  }
  const starts = rules.filter((r) => r.start)
  if (starts.length === 0) throw new Error("cannot compile rules: no rule has the state 'start_state'")
  return { rules, starts }
}

/** The start rule matching `text`, or undefined. */
export function matchStart(rules: CompiledRules, text: string): CompiledRule | undefined {
  for (const r of rules.starts) if (r.regex.test(text)) return r
  return undefined
}

/** The rule continuing a message whose last line matched `prev`, or undefined. */
export function matchNext(prev: CompiledRule, text: string): CompiledRule | undefined {
  for (const r of prev.follow) if (r.regex.test(text)) return r
  return undefined
}

// One multiline parser, built in or from a [MULTILINE_PARSER] section, in the terms of Fluent Bit's
// flb_ml_parser_create(): a type (regex rules, `endswith`, `equal`), the key holding the text to
// join (key_content), an optional key that splits a source into independent streams (key_group,
// e.g. `stream` for stdout/stderr), an optional key compared instead of the content (key_pattern,
// e.g. CRI's `_p`), an optional pre-parser applied to the text first, and a flush timeout.

import type { Body } from '@sluice/core/record.ts'
import type { CompiledRules } from './rules.ts'

export interface PreParsed {
  body: Body
  sec?: number
  nsec?: number
}

export interface MultilineParserDef {
  readonly name: string
  readonly type: 'regex' | 'endswith' | 'equal'
  /** Text to compare for `endswith` / `equal`. */
  readonly matchString?: string
  /** Inverts the `endswith` / `equal` comparison. */
  readonly negate: boolean
  readonly flushMs: number
  readonly keyContent: string
  readonly keyGroup?: string
  readonly keyPattern?: string
  readonly rules?: CompiledRules
  /**
   * Parses the content before joining (Fluent Bit's `parser`): CRI's regex, Docker's JSON. Returns
   * null when the text is not in that format, so the next multiline parser may try it.
   */
  readonly preParse?: (text: string) => PreParsed | null
  /**
   * When the pre-parser does not match, accept a record that already has the parsed shape (has
   * key_pattern / key_group as strings), e.g. a record that went through `Parser cri` first.
   */
  readonly acceptParsed?: boolean
}

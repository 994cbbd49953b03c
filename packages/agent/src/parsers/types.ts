// Parsers turn one text (a log line, or a record field) into a structured body. They are declared in
// `[PARSER]` sections (Format json/regex/logfmt/ltsv) or come built in (Fluent Bit's stock parsers).

import type { Body } from '@sluice/core/record.ts'

export interface ParseResult {
  body: Body
  /** Set when the parser's Time_Key was found and parsed; otherwise the caller keeps its own time. */
  sec?: number
  nsec?: number
  /**
   * Set when the record had its time field but Time_Format could not read it (Fluent Bit warns
   * `invalid time format`): the regex format then leaves the field out, json keeps it; either way
   * the caller keeps its own time. Callers count and log it.
   */
  timeError?: string
}

export interface Parser {
  readonly name: string
  readonly format: string
  /** Format regex: the pattern translated to a JavaScript RegExp (named groups, no flags `g`/`y`). */
  readonly regex?: RegExp
  /** Parses `text`; returns null when it does not match (regex) or is not valid (json). Never throws. */
  parse(text: string): ParseResult | null
}

export interface ParserRegistry {
  get(name: string): Parser | undefined
  names(): string[]
}

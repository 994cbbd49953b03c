// Builds the parser registry: Fluent Bit's stock parsers plus the [PARSER] sections of the config
// (a section with a stock parser's name replaces it; a second section with the same name is an
// error, as Fluent Bit refuses it). Every problem is a Diagnostic with file:line and `parser.<name>`.

import type { Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import type { ConfigEntry } from '@sluice/core/options.ts'
import { definitionFromSection, type ParserDefinition } from './definition.ts'
import { createJsonParser } from './json-parser.ts'
import { createLogfmtParser } from './logfmt-parser.ts'
import { createLtsvParser } from './ltsv-parser.ts'
import { createRegexParser } from './regex-parser.ts'
import { STOCK_PARSERS } from './stock.ts'
import type { Parser, ParserRegistry } from './types.ts'

/** A runnable parser for a checked definition. */
export function createParser(def: ParserDefinition): Parser {
  switch (def.format) {
    case 'regex':
      return createRegexParser(def)
    case 'json':
      return createJsonParser(def)
    case 'logfmt':
      return createLogfmtParser(def)
    case 'ltsv':
    case 'tskv':
      return createLtsvParser(def)
  }
}

const STOCK_FILE = '<stock parsers>'

let stockCache: Map<string, Parser> | undefined
/** The stock parsers by name (built once). */
export function stockParsers(): ReadonlyMap<string, Parser> {
  if (stockCache) return stockCache
  const m = new Map<string, Parser>()
  STOCK_PARSERS.forEach((entries, n) => {
    const section = {
      loc: { file: STOCK_FILE, line: n + 1 },
      entries: entries.map(([key, value]): ConfigEntry => ({ key, value })),
    }
    const { def, diagnostics } = definitionFromSection(section)
    if (!def) throw new Error(`stock parser bug: ${diagnostics.map((d) => d.message).join('; ')}`)
    m.set(def.name, createParser(def))
  })
  stockCache = m
  return m
}

export function createParserRegistry(sections: readonly Section[]): {
  registry: ParserRegistry
  diagnostics: Diagnostic[]
} {
  const diagnostics: Diagnostic[] = []
  const parsers = new Map<string, Parser>(stockParsers())
  const defined = new Map<string, Section>()
  for (const section of sections) {
    if (section.kind !== 'parser') continue
    const { def, diagnostics: ds } = definitionFromSection(section)
    diagnostics.push(...ds)
    if (!def) continue
    const before = defined.get(def.name)
    if (before) {
      diagnostics.push({
        severity: 'error',
        message: `parser '${def.name}' is already defined at ${before.loc.file}:${before.loc.line}; this one is ignored`,
        instance: `parser.${def.name}`,
        ...section.loc,
      })
      continue
    }
    defined.set(def.name, section)
    parsers.set(def.name, createParser(def))
  }
  return {
    registry: {
      get: (name) => parsers.get(name),
      names: () => [...parsers.keys()].sort(),
    },
    diagnostics,
  }
}

// A runnable parser from `[PARSER]` entries written as a config file would (Fluent Bit spelling),
// built by the same registry the agent uses; a definition with any diagnostic fails the test.

import type { Section } from '@sluice/core/config/model.ts'
import { createParserRegistry } from '../parsers/index.ts'
import type { Parser } from '../parsers/types.ts'

export function parserFrom(entries: Record<string, string | string[]>, file = 'parsers.conf'): Parser {
  let line = 1
  const section: Section = {
    kind: 'parser',
    loc: { file, line },
    entries: Object.entries(entries).flatMap(([key, v]) =>
      (Array.isArray(v) ? v : [v]).map((value) => ({ key, value, loc: { file, line: ++line } })),
    ),
  }
  const { registry, diagnostics } = createParserRegistry([section])
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join('; '))
  const p = registry.get(String(entries.Name))
  if (!p) throw new Error(`parser '${String(entries.Name)}' was not registered`)
  return p
}

// KQL text → syntax tree, with the shared parser (packages/core/src/kql/parse.ts).

import type { KqlParseResult } from '@sluice/core/kql/ast.ts'
import { parseKql } from '@sluice/core/kql/parse.ts'

export function parseQuery(text: string): KqlParseResult {
  if (text.trim() === '') return { ast: { type: 'all' } }
  return parseKql(text)
}

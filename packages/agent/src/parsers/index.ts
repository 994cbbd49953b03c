// Builds the parser registry: Fluent Bit's stock parsers plus the [PARSER] sections of the config.
// (Stub with the final signature; the parsers owner replaces the body.)
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import type { Section } from '@sluice/core/config/model.ts'
import type { ParserRegistry } from './types.ts'

export function createParserRegistry(sections: readonly Section[]): {
  registry: ParserRegistry
  diagnostics: Diagnostic[]
} {
  void sections
  return { registry: { get: () => undefined, names: () => [] }, diagnostics: [] }
}

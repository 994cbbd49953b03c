// Builds the multiline registry: built-in parsers (cri, docker, go, java, python, ruby) plus the
// [MULTILINE_PARSER] sections of the config. (Stub with the final signature; the owner replaces it.)
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import type { Section } from '@sluice/core/config/model.ts'
import type { MultilineRegistry } from './types.ts'

export function createMultilineRegistry(sections: readonly Section[]): {
  registry: MultilineRegistry
  diagnostics: Diagnostic[]
} {
  void sections
  return {
    registry: {
      names: () => [],
      has: () => false,
      create: (names) => {
        throw new Error(`cannot create multiline joiner: no multiline parsers yet (${names.join(', ')})`)
      },
    },
    diagnostics: [],
  }
}

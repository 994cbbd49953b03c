// The loaded configuration, independent of the format it was written in (Fluent Bit classic,
// Fluent Bit YAML, or a Kubernetes ConfigMap wrapping either). Loaders produce it; the agent and
// `sluice check` consume it. Keys keep the user's spelling; matching is case-insensitive downstream.

import type { Diagnostic, SourceLocation } from '../diagnostics.ts'
import type { ConfigEntry } from '../options.ts'

export type SectionKind =
  | 'service'
  | 'input'
  | 'filter'
  | 'output'
  | 'parser'
  | 'multiline_parser'
  | 'plugins'
  | 'upstream'

export interface Section {
  readonly kind: SectionKind
  /** Where the section header (classic) or list item (YAML) is. */
  readonly loc: SourceLocation
  /** All `key value` pairs in order, including `Name`; repeated keys appear repeatedly. */
  readonly entries: ConfigEntry[]
  /**
   * Multiline parser rules (`rule "state" "/regex/" "next"` in classic, `rules:` in YAML), in order,
   * already split into their three parts.
   */
  readonly rules?: { state: string; regex: string; next: string; loc?: SourceLocation }[]
  /** YAML `processors:` attached to an input or output (kept for later; not yet run). */
  readonly processors?: unknown
}

export interface LoadedConfig {
  /** The entry file (or `configmap:NAME/KEY`). */
  readonly entry: string
  /** Every file read, in order (includes, parsers files). */
  readonly files: string[]
  /** Directory that relative paths in the config resolve against. */
  readonly baseDir: string
  readonly service: Section[]
  readonly inputs: Section[]
  readonly filters: Section[]
  readonly outputs: Section[]
  /** `[PARSER]` sections from the main config and every `Parsers_File`. */
  readonly parsers: Section[]
  readonly multilineParsers: Section[]
  /** `[PLUGINS]` and `[UPSTREAM]` sections (YAML `plugins`, `upstream_servers`), kept as read. */
  readonly otherSections?: Section[]
  /** Errors and warnings found while loading (syntax, includes, variables, indentation). */
  readonly diagnostics: Diagnostic[]
  /**
   * Files a ConfigMap carried (data key → text), so that paths such as `/fluent-bit/etc/x.lua`
   * referenced by plugins can be resolved against the ConfigMap when they are not on disk.
   */
  readonly virtualFiles: ReadonlyMap<string, string>
}

/** The value of the last entry with this key (case-insensitive), or undefined. */
export function entryValue(section: Pick<Section, 'entries'>, key: string): string | undefined {
  const k = key.toLowerCase()
  let v: string | undefined
  for (const e of section.entries) if (e.key.toLowerCase() === k) v = e.value
  return v
}

// What the format readers (classic, YAML) fill while reading a configuration and its includes.

import type { Diagnostic, SourceLocation } from '../diagnostics.ts'
import type { ConfigEntry } from '../options.ts'
import type { Section, SectionKind } from './model.ts'
import type { FileSource } from './source.ts'
import type { VariableScope } from './variables.ts'

export interface MutableSection {
  kind: SectionKind
  loc: SourceLocation
  entries: ConfigEntry[]
  rules?: { state: string; regex: string; next: string; loc?: SourceLocation }[]
  processors?: unknown
}

/** Where a file is read from: the main config tree, or a `Parsers_File`. */
export type FileRole = 'main' | 'parsers'

export interface Collector {
  readonly source: FileSource
  readonly scope: VariableScope
  readonly diagnostics: Diagnostic[]
  /** Every file read, in order. */
  readonly files: string[]
  readonly sections: MutableSection[]
  /** Directory the entry config is in (relative `Parsers_File` paths resolve against it). */
  readonly baseDir: string
  /** Include loops already reported, as `file:line→target`. */
  readonly reportedLoops: Set<string>
}

/** Includes deeper than this are reported instead of followed (a loop guard beyond cycle detection). */
export const MAX_INCLUDE_DEPTH = 32
/**
 * Files read in all, includes counted each time: files that all include `*.conf` of their own
 * directory form no cycle on any one path but multiply (n! paths); this bounds the work.
 */
export const MAX_FILES_READ = 256

export const SECTION_KINDS: Record<string, SectionKind> = {
  service: 'service',
  input: 'input',
  filter: 'filter',
  output: 'output',
  parser: 'parser',
  multiline_parser: 'multiline_parser',
  plugins: 'plugins',
  upstream: 'upstream',
}

export function newSection(kind: SectionKind, loc: SourceLocation): MutableSection {
  return { kind, loc, entries: [] }
}

export function isParserKind(kind: SectionKind): boolean {
  return kind === 'parser' || kind === 'multiline_parser'
}

export function freeze(s: MutableSection): Section {
  return s
}

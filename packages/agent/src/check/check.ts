// `sluice check`: what `fluent-bit --dry-run` verifies, plus what it misses (PRODUCT.md: unknown
// parser names, bad enum values), plus routing mistakes and the seeds' pitfalls. Every problem in
// one pass, each with file:line, plugin instance (`input.tail.0`: kind.name.index-per-name) and
// option. Pure: reads the loaded config and the registries, touches nothing else.

import type { LoadedConfig, Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { type ConfigEntry, closest, lookupOption, type OptionTable, resolveOptions } from '@sluice/core/options.ts'
import {
  filterCommonOptions,
  inputCommonOptions,
  outputCommonOptions,
  parseRetryLimit,
  serviceOptions,
} from '../common-options.ts'
import { atSection, validateDiagnostics } from '../engine/validate.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import { createParserRegistry } from '../parsers/index.ts'
import type { ParserRegistry } from '../parsers/types.ts'
import type { AnyFilterPlugin, AnyInputPlugin, AnyOutputPlugin, AnyPlugin } from '../plugin.ts'
import * as registry from '../registry.ts'
import { type Instance, type Kind, lastEntry } from './instance.ts'
import { checkKubeTagPrefix, checkPitfalls, checkScripts } from './pitfalls.ts'
import { checkRouting, producedTags } from './routing.ts'

export interface CheckDeps {
  /** Plugins to check against (default: the agent's registry). */
  readonly inputs?: readonly AnyInputPlugin[]
  readonly filters?: readonly AnyFilterPlugin[]
  readonly outputs?: readonly AnyOutputPlugin[]
  /**
   * Parser names known besides the config's own [PARSER] sections (default: the parser registry's,
   * built from the config, whose diagnostics are then included).
   */
  readonly parserNames?: readonly string[]
  /** Multiline parser names besides the config's [MULTILINE_PARSER] sections (default: the registry's). */
  readonly multilineParserNames?: readonly string[]
}

const COMMON: Record<Kind, OptionTable> = {
  input: inputCommonOptions,
  filter: filterCommonOptions,
  output: outputCommonOptions,
}

/** Keys whose values name a [PARSER]. */
const PARSER_KEYS = /^(parser|parser_firstline|parser_\d+|docker_mode\.parser)$/

/**
 * Checks a loaded configuration. Returns the loader's diagnostics followed by the check's own, in
 * config order. Errors mean the agent would refuse (or silently misbehave on) this config.
 */
export function checkConfig(loaded: LoadedConfig, deps: CheckDeps = {}): Diagnostic[] {
  const out: Diagnostic[] = [...loaded.diagnostics]
  const lists: Record<Kind, readonly AnyPlugin[]> = {
    input: deps.inputs ?? registry.inputs,
    filter: deps.filters ?? registry.filters,
    output: deps.outputs ?? registry.outputs,
  }

  // [SERVICE]: every section merged, as Fluent Bit does.
  const serviceEntries = loaded.service.flatMap((s) => s.entries)
  const service = resolveOptions(serviceOptions, serviceEntries, { instance: 'service' })
  out.push(...service.diagnostics)
  const flush = typeof service.values.flush === 'number' ? service.values.flush : 1

  // Parser names: the config's own plus the stock ones.
  const { parserNames, multilineNames } = knownParsers(loaded, deps, out)

  const instances: Instance[] = []
  for (const [kind, sections] of [
    ['input', loaded.inputs],
    ['filter', loaded.filters],
    ['output', loaded.outputs],
  ] as const) {
    const counters = new Map<string, number>()
    for (const section of sections) {
      const nameEntry = lastEntry(section.entries, 'name')
      const name = nameEntry?.value.toLowerCase() ?? ''
      const index = counters.get(name) ?? 0
      counters.set(name, index + 1)
      // the engine's instance name (its log lines and metrics use the same): kind:plugin:alias-or-name.N
      const alias = lastEntry(section.entries, 'alias')?.value.trim()
      const id = `${kind}:${name || '(unnamed)'}:${alias || `${name || '(unnamed)'}.${index}`}`
      const raw = new Map<string, ConfigEntry>()
      for (const e of section.entries) raw.set(e.key.toLowerCase(), e)
      if (!nameEntry) {
        out.push({
          severity: 'error',
          message: `missing required option 'Name' (which ${kind} plugin)`,
          instance: id,
          option: 'Name',
          ...section.loc,
        })
        instances.push({ kind, name, id, section, plugin: undefined, raw })
        continue
      }
      const plugin = lists[kind].find((p) => p.name === name)
      if (!plugin) {
        const near = closest(
          name,
          lists[kind].map((p) => p.name),
        )
        out.push({
          severity: 'error',
          message: `unknown ${kind} plugin '${nameEntry.value}'${near ? ` (did you mean '${near}'?)` : ''}`,
          instance: id,
          option: nameEntry.key,
          ...(nameEntry.loc ?? section.loc),
        })
      } else {
        checkOptions(plugin, section, id, out)
      }
      instances.push({ kind, name, id, section, plugin, raw })
      checkParserRefs(section, id, parserNames, multilineNames, out)
      if (section.processors !== undefined) {
        out.push({
          severity: 'warning',
          message: 'processors are not run by Sluice yet; they are ignored',
          instance: id,
          option: 'processors',
          ...section.loc,
        })
      }
    }
  }
  for (const s of loaded.otherSections ?? []) {
    out.push({
      severity: 'warning',
      message: `[${s.kind.toUpperCase()}] sections are not used by Sluice; ignored`,
      ...s.loc,
    })
  }

  if (loaded.inputs.length === 0)
    out.push({ severity: 'warning', message: 'no [INPUT] section: nothing is read', file: loaded.entry })
  if (loaded.outputs.length === 0 && loaded.inputs.length > 0)
    out.push({
      severity: 'warning',
      message: 'no [OUTPUT] section: every record read is discarded',
      file: loaded.entry,
    })

  const tags = producedTags(instances)
  checkRouting(instances, tags, out)
  checkPitfalls(instances, flush, out)
  checkScripts(instances, loaded, out)
  checkKubeTagPrefix(instances, tags, out)
  return out
}

function knownParsers(
  loaded: LoadedConfig,
  deps: CheckDeps,
  out: Diagnostic[],
): { parserNames: Set<string>; multilineNames: Set<string> } {
  const own = (sections: readonly Section[]) =>
    sections.map((s) => lastEntry(s.entries, 'name')?.value).filter((n): n is string => n !== undefined)
  const parserNames = new Set(own(loaded.parsers))
  const multilineNames = new Set(own(loaded.multilineParsers))
  let parsers: ParserRegistry | undefined
  if (deps.parserNames) for (const n of deps.parserNames) parserNames.add(n)
  else {
    const built = createParserRegistry(loaded.parsers)
    out.push(...built.diagnostics)
    parsers = built.registry
    for (const n of built.registry.names()) parserNames.add(n)
  }
  if (deps.multilineParserNames) for (const n of deps.multilineParserNames) multilineNames.add(n)
  else {
    // With the parser registry, a [MULTILINE_PARSER]'s own `parser` option is checked too.
    const built = createMultilineRegistry(loaded.multilineParsers, parsers)
    out.push(...built.diagnostics)
    for (const n of built.registry.names()) multilineNames.add(n)
  }
  return { parserNames, multilineNames }
}

/** The plugin's own table first; the kind's common options (Match, Tag, Retry_Limit…) after. */
function checkOptions(plugin: AnyPlugin, section: Section, id: string, out: Diagnostic[]): void {
  const common = COMMON[plugin.kind]
  const own = resolveOptions(plugin.options, section.entries, {
    instance: id,
    passThrough: (k) => lookupOption(common, k) !== undefined,
  })
  out.push(...atSection(own.diagnostics, section))
  if (!own.diagnostics.some((d) => d.severity === 'error'))
    out.push(...validateDiagnostics(plugin, own.values as Record<string, unknown>, section, id))
  const shared = resolveOptions(common, own.passed, { instance: id })
  // `name` is required by the common table but was consumed to find the plugin.
  out.push(
    ...atSection(
      shared.diagnostics.filter((d) => !(d.option === 'name' && d.message.startsWith('missing'))),
      section,
    ),
  )
  if (plugin.kind === 'output') {
    const rl = lastEntry(section.entries, 'retry_limit')
    if (rl) {
      const parsed = parseRetryLimit(rl.value)
      if (typeof parsed !== 'number')
        out.push({
          severity: 'error',
          message: `invalid value for '${rl.key}': ${parsed.error}`,
          instance: id,
          option: rl.key,
          ...rl.loc,
        })
    }
  }
  if (plugin.kind !== 'input') {
    const mr = lastEntry(section.entries, 'match_regex')
    if (mr) {
      try {
        new RegExp(mr.value)
      } catch (err) {
        out.push({
          severity: 'error',
          message: `invalid value for '${mr.key}': ${(err as Error).message}`,
          instance: id,
          option: mr.key,
          ...mr.loc,
        })
      }
    }
  }
}

function checkParserRefs(
  section: Section,
  id: string,
  parserNames: ReadonlySet<string>,
  multilineNames: ReadonlySet<string>,
  out: Diagnostic[],
): void {
  for (const e of section.entries) {
    const key = e.key.toLowerCase()
    const names = PARSER_KEYS.test(key)
      ? [e.value.trim()]
      : key === 'multiline.parser'
        ? e.value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : []
    const known = key === 'multiline.parser' ? multilineNames : parserNames
    const what = key === 'multiline.parser' ? 'multiline parser' : 'parser'
    for (const n of names) {
      if (known.has(n)) continue
      const head = n.split(/\s+#/)[0]!.trim()
      const hint = known.has(head)
        ? ` (the '#…' is part of the value: Fluent Bit has no inline comments)`
        : ((near) => (near ? ` (did you mean '${near}'?)` : ''))(closest(n, [...known]))
      out.push({
        severity: 'error',
        message: `unknown ${what} '${n}'${hint}: define it in a [${what === 'parser' ? 'PARSER' : 'MULTILINE_PARSER'}] section of a Parsers_File`,
        instance: id,
        option: e.key,
        ...(e.loc ?? section.loc),
      })
    }
  }
}

// Planning: from a LoadedConfig to the list of plugin instances to run, with their options resolved
// and every problem found at once. Nothing is started here; `sluice check` and hot reload use the
// same plan to refuse a bad config before touching a running pipeline.
//
// Instance ids follow Fluent Bit: `name.N` counted per plugin name in config order (tail.0, tail.1,
// es.0), or the instance's Alias. Options: the plugin's own table, with the kind's common keys
// (Match, Tag, Retry_Limit, …) passed through and resolved against the common table.

import type { LoadedConfig, Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { closest, lookupOption, type OptionTable, type OptionValues, resolveOptions } from '@sluice/core/options.ts'
import {
  filterCommonOptions,
  inputCommonOptions,
  outputCommonOptions,
  parseRetryLimit,
  serviceOptions,
} from '../common-options.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import type { JoinerOptions, MultilineRegistry } from '../multiline/types.ts'
import { createParserRegistry } from '../parsers/index.ts'
import type { ParserRegistry } from '../parsers/types.ts'
import type { AnyFilterPlugin, AnyInputPlugin, AnyOutputPlugin, AnyPlugin } from '../plugin.ts'
import { compileMatch, type TagMatcher } from '../tag-match.ts'
import { atSection, validateDiagnostics } from './validate.ts'

export interface PluginSet {
  readonly inputs: readonly AnyInputPlugin[]
  readonly filters: readonly AnyFilterPlugin[]
  readonly outputs: readonly AnyOutputPlugin[]
}

export type ServiceValues = OptionValues<typeof serviceOptions>
export type InputCommon = OptionValues<typeof inputCommonOptions>
export type FilterCommon = OptionValues<typeof filterCommonOptions>
export type OutputCommon = OptionValues<typeof outputCommonOptions>

interface InstanceBase<P extends AnyPlugin, C> {
  readonly plugin: P
  readonly id: string
  /** Log scope and diagnostic instance, Fluent Bit's spelling: `input:tail:tail.0`. */
  readonly scope: string
  readonly section: Section
  readonly opts: Record<string, unknown>
  readonly common: C
  /** Same plugin, same entries, same id, same parsers: a reload keeps the running instance. */
  readonly fingerprint: string
}
export interface InputPlan extends InstanceBase<AnyInputPlugin, InputCommon> {
  readonly kind: 'input'
}
export interface FilterPlan extends InstanceBase<AnyFilterPlugin, FilterCommon> {
  readonly kind: 'filter'
  readonly match: TagMatcher
}
export interface OutputPlan extends InstanceBase<AnyOutputPlugin, OutputCommon> {
  readonly kind: 'output'
  readonly match: TagMatcher
  readonly retryLimit: number
}

export interface Plan {
  readonly config: LoadedConfig
  readonly service: ServiceValues
  readonly inputs: InputPlan[]
  readonly filters: FilterPlan[]
  readonly outputs: OutputPlan[]
  readonly parsers: ParserRegistry
  readonly multiline: MultilineRegistry
  /** Everything found: the loader's, the parsers', and each instance's options. */
  readonly diagnostics: Diagnostic[]
}

const lowerKeys = (t: OptionTable) => new Set(Object.keys(t).map((k) => k.toLowerCase()))
const INPUT_COMMON = lowerKeys(inputCommonOptions)
const FILTER_COMMON = lowerKeys(filterCommonOptions)
const OUTPUT_COMMON = lowerKeys(outputCommonOptions)

function isCommon(keys: Set<string>, table: OptionTable) {
  // a key is passed through when the common table knows it (aliases included)
  return (key: string) => keys.has(key) || lookupOption(table, key) !== undefined
}

function sectionFingerprint(s: Section): string {
  return s.entries.map((e) => `${e.key.toLowerCase()}=${e.value}`).join('\n')
}

export function planPipeline(config: LoadedConfig, plugins: PluginSet): Plan {
  const diagnostics: Diagnostic[] = [...config.diagnostics]

  const serviceEntries = config.service.flatMap((s) => s.entries)
  const service = resolveOptions(serviceOptions, serviceEntries, { instance: 'service' })
  diagnostics.push(...service.diagnostics)

  const parsers = createParserRegistry(config.parsers)
  diagnostics.push(...parsers.diagnostics)
  // Custom multiline parsers may name a pre-parser ([MULTILINE_PARSER] `parser`); [SERVICE]
  // multiline_buffer_limit is the default joined-record limit of every joiner.
  const multilineBuilt = createMultilineRegistry(config.multilineParsers, parsers.registry)
  const bufferLimit = service.values.multiline_buffer_limit
  const multiline = {
    diagnostics: multilineBuilt.diagnostics,
    registry: {
      ...multilineBuilt.registry,
      create: (names: readonly string[], opts?: JoinerOptions) =>
        multilineBuilt.registry.create(names, { bufferLimit, ...opts }),
    },
  }
  diagnostics.push(...multiline.diagnostics)
  // inputs and filters that use parsers restart on reload when any parser definition changed
  const parsersPrint = [...config.parsers, ...config.multilineParsers]
    .map((s) => sectionFingerprint(s) + (s.rules ? JSON.stringify(s.rules.map((r) => [r.state, r.regex, r.next])) : ''))
    .join('\n--\n')

  const ids = new Set<string>()
  const counters = {
    input: new Map<string, number>(),
    filter: new Map<string, number>(),
    output: new Map<string, number>(),
  }

  const common = <K extends 'input' | 'filter' | 'output'>(kind: K, section: Section) => {
    const nameEntry = [...section.entries].reverse().find((e) => e.key.toLowerCase() === 'name')
    const list: readonly AnyPlugin[] =
      kind === 'input' ? plugins.inputs : kind === 'filter' ? plugins.filters : plugins.outputs
    if (!nameEntry || nameEntry.value.trim() === '') {
      diagnostics.push({
        severity: 'error',
        message: `${kind} section without a Name`,
        file: section.loc.file,
        line: section.loc.line,
        instance: kind,
      })
      return undefined
    }
    const name = nameEntry.value.trim().toLowerCase()
    const plugin = list.find((p) => p.name === name)
    if (!plugin) {
      const near = closest(
        name,
        list.map((p) => p.name),
      )
      diagnostics.push({
        severity: 'error',
        message: `unknown ${kind} plugin '${nameEntry.value}'${near ? ` (did you mean '${near}'?)` : ''}`,
        file: nameEntry.loc?.file ?? section.loc.file,
        line: nameEntry.loc?.line ?? section.loc.line,
        instance: kind,
        option: 'name',
      })
      return undefined
    }
    const n = counters[kind].get(name) ?? 0
    counters[kind].set(name, n + 1)
    const aliasEntry = [...section.entries].reverse().find((e) => e.key.toLowerCase() === 'alias')
    const id = aliasEntry?.value.trim() || `${name}.${n}`
    const scope = `${kind}:${name}:${id}`
    if (ids.has(`${kind}:${id}`)) {
      diagnostics.push({
        severity: 'error',
        message: `two ${kind}s are named '${id}'; each Alias must be unique`,
        file: aliasEntry?.loc?.file ?? section.loc.file,
        line: aliasEntry?.loc?.line ?? section.loc.line,
        instance: scope,
        option: 'alias',
      })
    }
    ids.add(`${kind}:${id}`)
    const table = kind === 'input' ? inputCommonOptions : kind === 'filter' ? filterCommonOptions : outputCommonOptions
    const keys = kind === 'input' ? INPUT_COMMON : kind === 'filter' ? FILTER_COMMON : OUTPUT_COMMON
    const own = resolveOptions(plugin.options, section.entries, { instance: scope, passThrough: isCommon(keys, table) })
    diagnostics.push(...atSection(own.diagnostics, section))
    if (!own.diagnostics.some((d) => d.severity === 'error'))
      diagnostics.push(...validateDiagnostics(plugin, own.values as Record<string, unknown>, section, scope))
    const com = resolveOptions(table, own.passed, { instance: scope })
    diagnostics.push(...atSection(com.diagnostics, section))
    const fingerprint = `${kind}|${id}|${sectionFingerprint(section)}${kind === 'output' ? '' : `|${parsersPrint}`}`
    return { plugin, id, scope, section, opts: own.values as Record<string, unknown>, common: com.values, fingerprint }
  }

  const matcher = (scope: string, section: Section, match?: string, regex?: string): TagMatcher => {
    if (regex !== undefined) {
      try {
        new RegExp(regex)
      } catch (err) {
        const e = section.entries.find((x) => x.key.toLowerCase() === 'match_regex')
        diagnostics.push({
          severity: 'error',
          message: `invalid Match_Regex: ${(err as Error).message}`,
          file: e?.loc?.file ?? section.loc.file,
          line: e?.loc?.line ?? section.loc.line,
          instance: scope,
          option: 'match_regex',
        })
        return () => false
      }
    } else if (match === undefined) {
      diagnostics.push({
        severity: 'warning',
        message: 'no Match or Match_Regex: this instance receives no records',
        file: section.loc.file,
        line: section.loc.line,
        instance: scope,
      })
    }
    return compileMatch(match, regex)
  }

  const inputs: InputPlan[] = []
  for (const section of config.inputs) {
    const c = common('input', section)
    if (!c) continue
    const com = c.common as InputCommon
    if (com['storage.type'] === 'filesystem' && service.values['storage.path'] === undefined) {
      // Fluent Bit does the same: without a storage.path there is nowhere to write chunks
      diagnostics.push({
        severity: 'warning',
        message:
          'storage.type filesystem without [SERVICE] storage.path: records are buffered in memory only (set storage.path to keep them across a crash)',
        file: section.loc.file,
        line: section.loc.line,
        instance: c.scope,
        option: 'storage.type',
      })
    }
    inputs.push({ kind: 'input', ...c, plugin: c.plugin as AnyInputPlugin, common: com })
  }

  const filters: FilterPlan[] = []
  for (const section of config.filters) {
    const c = common('filter', section)
    if (!c) continue
    const com = c.common as FilterCommon
    filters.push({
      kind: 'filter',
      ...c,
      plugin: c.plugin as AnyFilterPlugin,
      common: com,
      match: matcher(c.scope, section, com.match, com.match_regex),
    })
  }

  const outputs: OutputPlan[] = []
  for (const section of config.outputs) {
    const c = common('output', section)
    if (!c) continue
    const com = c.common as OutputCommon
    // Fluent Bit's per-plugin default (es, opensearch, forward, http: 2) when Workers is not set
    const defaultWorkers = (c.plugin as AnyOutputPlugin).defaultWorkers
    if (defaultWorkers !== undefined && !section.entries.some((e) => e.key.toLowerCase() === 'workers'))
      (com as { workers: number }).workers = defaultWorkers
    const rl = parseRetryLimit(com.retry_limit)
    const at = (key: string) => section.entries.find((x) => x.key.toLowerCase() === key)?.loc ?? section.loc
    if (typeof rl !== 'number') {
      diagnostics.push({
        severity: 'error',
        message: `invalid value for 'retry_limit': ${rl.error}`,
        ...at('retry_limit'),
        instance: c.scope,
        option: 'retry_limit',
      })
    }
    if (com.workers < 1) {
      diagnostics.push({
        severity: 'error',
        message: `invalid value for 'workers': ${com.workers} (at least 1)`,
        ...at('workers'),
        instance: c.scope,
        option: 'workers',
      })
    }
    outputs.push({
      kind: 'output',
      ...c,
      plugin: c.plugin as AnyOutputPlugin,
      common: com,
      match: matcher(c.scope, section, com.match, com.match_regex),
      retryLimit: typeof rl === 'number' ? rl : 1,
    })
  }

  if (service.values.flush <= 0) {
    const e = serviceEntries.find((x) => x.key.toLowerCase() === 'flush')
    diagnostics.push({
      severity: 'error',
      message: `invalid value for 'flush': ${service.values.flush} (must be more than 0 seconds)`,
      file: e?.loc?.file,
      line: e?.loc?.line,
      instance: 'service',
      option: 'flush',
    })
  }

  return {
    config,
    service: service.values,
    inputs,
    filters,
    outputs,
    parsers: parsers.registry,
    multiline: multiline.registry,
    diagnostics,
  }
}

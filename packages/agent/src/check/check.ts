// `sluice check`: what `fluent-bit --dry-run` verifies, plus what it misses (PRODUCT.md: unknown
// parser names, bad enum values), plus routing mistakes and the seeds' pitfalls. Every problem in
// one pass, each with file:line, plugin instance (`input.tail.0`: kind.name.index-per-name) and
// option. Pure: reads the loaded config and the registries, touches nothing else.

import { existsSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import type { LoadedConfig, Section } from '@sluice/core/config/model.ts'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import {
  type ConfigEntry,
  closest,
  lookupOption,
  type OptionTable,
  parseSize,
  resolveOptions,
} from '@sluice/core/options.ts'
import {
  filterCommonOptions,
  inputCommonOptions,
  outputCommonOptions,
  parseRetryLimit,
  serviceOptions,
} from '../common-options.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import { createParserRegistry } from '../parsers/index.ts'
import type { ParserRegistry } from '../parsers/types.ts'
import type { AnyFilterPlugin, AnyInputPlugin, AnyOutputPlugin, AnyPlugin } from '../plugin.ts'
import * as registry from '../registry.ts'
import { memBufLimitWarning, NETWORK_OUTPUTS } from './pitfalls.ts'
import { globsIntersect, inputTagGlobs, rewriteTagGlob } from './tag-glob.ts'

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

type Kind = 'input' | 'filter' | 'output'

interface Instance {
  readonly kind: Kind
  readonly name: string
  /** `input.tail.0` */
  readonly id: string
  readonly section: Section
  readonly plugin: AnyPlugin | undefined
  /** Raw entries by lower-case key (last one wins), for the routing and pitfall checks. */
  readonly raw: Map<string, ConfigEntry>
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
      const id = `${kind}.${name || '(unnamed)'}.${index}`
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
  out.push(...own.diagnostics)
  const shared = resolveOptions(common, own.passed, { instance: id })
  // `name` is required by the common table but was consumed to find the plugin.
  out.push(...shared.diagnostics.filter((d) => !(d.option === 'name' && d.message.startsWith('missing'))))
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

interface Route {
  readonly inst: Instance
  readonly match?: ConfigEntry
  readonly matchRegex?: RegExp
}

function routeOf(inst: Instance, out: Diagnostic[]): Route | undefined {
  const match = inst.raw.get('match')
  const mr = inst.raw.get('match_regex')
  let matchRegex: RegExp | undefined
  if (mr) {
    try {
      matchRegex = new RegExp(mr.value)
    } catch {
      return undefined // reported by checkOptions
    }
  }
  if (!match && !mr) {
    out.push({
      severity: 'warning',
      message: `no Match or Match_Regex: this ${inst.kind} receives no records (Fluent Bit unloads it)`,
      instance: inst.id,
      ...inst.section.loc,
    })
    return undefined
  }
  return { inst, match, matchRegex }
}

function routeSees(route: Route, tagGlob: string): boolean {
  if (route.matchRegex) {
    // A regular expression cannot be intersected with a glob cheaply: test a sample tag, and give
    // the benefit of the doubt when the tag has wildcards.
    return tagGlob.includes('*') || route.matchRegex.test(tagGlob)
  }
  return route.match !== undefined && globsIntersect(route.match.value, tagGlob)
}

interface TagSource {
  readonly inst: Instance
  readonly glob: string
}

/** Every tag the pipeline can carry, as globs: inputs' tags and rewrite_tag's new tags. */
function producedTags(instances: readonly Instance[]): TagSource[] {
  // An unknown input produces nothing (its error is reported).
  const inputs = instances.filter((i) => i.kind === 'input' && i.plugin)
  const tags: TagSource[] = []
  for (const inst of inputs) {
    const routable = inst.raw.get('routable')?.value.toLowerCase()
    if (routable === 'off' || routable === 'false' || routable === 'no' || routable === '0') continue
    const index = inst.id.slice(inst.id.lastIndexOf('.') + 1)
    for (const glob of inputTagGlobs(
      inst.name,
      inst.raw.get('tag')?.value,
      `${inst.name}.${index}`,
      inst.raw.get('path')?.value,
    ))
      tags.push({ inst, glob })
  }
  // rewrite_tag re-emits records under new tags from the start of the pipeline.
  for (const f of instances) {
    if (f.kind !== 'filter' || f.name !== 'rewrite_tag') continue
    for (const e of f.section.entries) {
      if (e.key.toLowerCase() !== 'rule') continue
      const glob = rewriteTagGlob(e.value)
      if (glob) tags.push({ inst: f, glob })
    }
  }
  return tags
}

function checkRouting(instances: readonly Instance[], tags: readonly TagSource[], out: Diagnostic[]): void {
  // Unknown filters and outputs still route, so that one typo is not reported again as records
  // reaching no output.
  const inputs = instances.filter((i) => i.kind === 'input' && i.plugin)
  const routes = new Map<Instance, Route>()
  for (const inst of instances) {
    if (inst.kind === 'input' || inst.name === '') continue
    const r = routeOf(inst, out)
    if (r) routes.set(inst, r)
  }
  if (tags.length > 0) {
    for (const [inst, r] of routes) {
      if (tags.some((t) => routeSees(r, t.glob))) continue
      const m = r.match ?? inst.raw.get('match_regex')!
      out.push({
        severity: 'warning',
        message: `Match '${m.value}' can never see a record: the inputs produce tags ${[...new Set(tags.map((t) => t.glob))].map((g) => `'${g}'`).join(', ')}`,
        instance: inst.id,
        option: m.key,
        ...(m.loc ?? inst.section.loc),
      })
    }
  }
  const outputs = [...routes.values()].filter((r) => r.inst.kind === 'output')
  for (const inst of inputs) {
    const mine = tags.filter((t) => t.inst === inst)
    if (mine.length === 0) continue
    if (mine.some((t) => outputs.some((o) => routeSees(o, t.glob)))) continue
    out.push({
      severity: 'warning',
      message: `records of this input (tag ${mine.map((t) => `'${t.glob}'`).join(', ')}) reach no output: no output's Match covers them, so they are read and discarded`,
      instance: inst.id,
      option: inst.raw.get('tag')?.key,
      ...(inst.raw.get('tag')?.loc ?? inst.section.loc),
    })
  }
}

function checkPitfalls(instances: readonly Instance[], flush: number, out: Diagnostic[]): void {
  for (const inst of instances) {
    if (!inst.plugin) continue
    const at = (e: ConfigEntry | undefined) => ({ instance: inst.id, option: e?.key, ...(e?.loc ?? inst.section.loc) })
    if (inst.kind === 'input') {
      const parser = inst.raw.get('parser')
      const path = inst.raw.get('path')?.value ?? ''
      if (inst.name === 'tail' && parser?.value.trim() === 'docker' && /\/var\/log\/(containers|pods)\//.test(path)) {
        out.push({
          severity: 'warning',
          message:
            "Parser docker on container logs: it reads Docker's JSON files, but containerd and CRI-O nodes (EKS, GKE, AKS, " +
            'kubeadm since Kubernetes 1.24) write CRI lines (`2024-05-01T12:00:00.1Z stdout F text`), which it cannot parse: ' +
            'records keep the raw line and lose time, stream and JSON fields (seed 004, issue 2). ' +
            'Use `multiline.parser docker, cri` (handles both runtimes) or `Parser cri`',
          ...at(parser),
        })
      }
      if (inst.name === 'tail' && !inst.raw.has('db') && /\/var\/log\/(containers|pods)\//.test(path)) {
        out.push({
          severity: 'warning',
          message:
            'no DB: file offsets live in memory only, so after a restart or an upgrade of the agent the lines written ' +
            'while it was down are skipped (new files are read from their end) — or, with Read_From_Head On, every ' +
            'file is read again. Set DB to a file on the node, e.g. `DB /var/log/flb_kube.db` as seeds 000 and 001 do',
          ...at(inst.raw.get('path')),
        })
      }
      const mbl = inst.raw.get('mem_buf_limit')
      // With filesystem buffering the input is not paused at Mem_Buf_Limit: chunks go to disk.
      const filesystem = inst.raw.get('storage.type')?.value.trim().toLowerCase() === 'filesystem'
      if (mbl && !filesystem) {
        const limit = parseSize(mbl.value)
        if (limit !== undefined) {
          const w = memBufLimitWarning(limit, flush, at(mbl))
          if (w) out.push(w)
        }
      }
    }
    if (inst.kind === 'output' && NETWORK_OUTPUTS.has(inst.name)) {
      const rl = inst.raw.get('retry_limit')
      const n = rl ? parseRetryLimit(rl.value) : 1
      if (typeof n === 'number' && n <= 1) {
        out.push({
          severity: 'warning',
          message:
            `Retry_Limit ${rl ? rl.value : "1 (Fluent Bit's default)"}: a batch that fails ${n === 0 ? 'once' : 'twice'} is dropped, so ` +
            `a restart or a few seconds of outage of ${inst.name} loses logs. Set Retry_Limit no_limits (or a count covering ` +
            'the outages you expect), with storage.type filesystem on the inputs to survive agent restarts',
          ...at(rl),
        })
      }
    }
    if (inst.kind === 'output' && (inst.name === 'es' || inst.name === 'opensearch')) {
      const rd = inst.raw.get('replace_dots')
      const replaceDots = rd ? ['on', 'true', 'yes', '1'].includes(rd.value.trim().toLowerCase()) : false
      if (replaceDots) continue
      const labels = instances.find(
        (f) =>
          f.kind === 'filter' &&
          f.name === 'kubernetes' &&
          !['off', 'false', 'no', '0'].includes(f.raw.get('labels')?.value.trim().toLowerCase() ?? 'on') &&
          matchesOverlap(f, inst),
      )
      if (labels) {
        out.push({
          severity: 'warning',
          message:
            `Replace_Dots ${rd ? rd.value : 'Off (the default)'} while ${labels.id} adds Kubernetes labels: keys such as ` +
            '`app.kubernetes.io/name` contain dots, which Elasticsearch turns into objects, so a pod labelled `app` and one ' +
            "labelled `app.kubernetes.io/name` conflict (`mapper_parsing_exception`) and the second one's records are " +
            'rejected (seed 004, issue 3). Set Replace_Dots On, or give the index a template with `subobjects: false`',
          ...at(rd),
        })
      }
    }
  }
}

/** Whether a filter and an output can see the same tag (both Match globs; Match_Regex: assume yes). */
function matchesOverlap(a: Instance, b: Instance): boolean {
  const ma = a.raw.get('match')?.value
  const mb = b.raw.get('match')?.value
  if (ma === undefined || mb === undefined) return a.raw.has('match_regex') || b.raw.has('match_regex')
  return globsIntersect(ma, mb)
}

function lastEntry(entries: readonly ConfigEntry[], key: string): ConfigEntry | undefined {
  let found: ConfigEntry | undefined
  for (const e of entries) if (e.key.toLowerCase() === key) found = e
  return found
}

/**
 * The kubernetes filter reads pod, namespace and container from the tag, after Kube_Tag_Prefix
 * (default `kube.var.log.containers.`, the tail of /var/log/containers/*.log under Tag kube.*). When
 * no tag it sees starts with the prefix, it adds no metadata at all, silently.
 */
function checkKubeTagPrefix(instances: readonly Instance[], tags: readonly TagSource[], out: Diagnostic[]): void {
  for (const f of instances) {
    if (f.kind !== 'filter' || f.name !== 'kubernetes' || !f.plugin) continue
    const journal = f.raw.get('use_journal')?.value.trim().toLowerCase()
    if (journal === 'on' || journal === 'true' || journal === 'yes' || journal === '1') continue
    const match = f.raw.get('match')?.value
    if (match === undefined) continue
    const seen = tags.filter((t) => globsIntersect(match, t.glob)).map((t) => t.glob)
    if (seen.length === 0) continue
    const entry = f.raw.get('kube_tag_prefix')
    const prefix = entry?.value ?? 'kube.var.log.containers.'
    if (seen.some((g) => globsIntersect(`${prefix}*`, g))) continue
    out.push({
      severity: 'warning',
      message:
        `Kube_Tag_Prefix '${prefix}'${entry ? '' : ' (the default)'} starts none of the tags this filter sees ` +
        `(${[...new Set(seen)].map((g) => `'${g}'`).join(', ')}): it reads pod, namespace and container from the tag ` +
        'after that prefix, so it adds no Kubernetes metadata. Tail /var/log/containers/*.log with Tag kube.*, or set ' +
        'Kube_Tag_Prefix to the part of the tag before the file name',
      instance: f.id,
      option: entry?.key,
      ...(entry?.loc ?? f.raw.get('match')?.loc ?? f.section.loc),
    })
  }
}

/**
 * A Lua `script` that is neither on disk (relative paths: to the config's directory) nor a key of
 * the ConfigMap fails the filter at start; `fluent-bit --dry-run` does not notice. A warning, not an
 * error: the file may be mounted on the nodes only.
 */
function checkScripts(instances: readonly Instance[], loaded: LoadedConfig, out: Diagnostic[]): void {
  for (const f of instances) {
    if (f.kind !== 'filter' || f.name !== 'lua' || !f.plugin || f.raw.has('code')) continue
    const script = f.raw.get('script')
    if (!script) continue
    const path = script.value.trim()
    const onDisk = existsSync(isAbsolute(path) ? path : join(loaded.baseDir, path))
    if (onDisk || loaded.virtualFiles.has(path) || loaded.virtualFiles.has(basename(path))) continue
    out.push({
      severity: 'warning',
      message: `script '${path}' is not on this machine${loaded.virtualFiles.size > 0 ? ' nor a key of the ConfigMap' : ''}: the filter cannot start unless the file exists where the agent runs`,
      instance: f.id,
      option: script.key,
      ...(script.loc ?? f.section.loc),
    })
  }
}

// Routing checks: which tags the pipeline carries (inputs' tags, rewrite_tag's new tags), Match
// patterns that can never see one of them, and inputs whose records reach no output.

import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import type { ConfigEntry } from '@sluice/core/options.ts'
import { type Instance, isOff } from './instance.ts'
import { globsIntersect, inputTagGlobs, rewriteTagGlob } from './tag-glob.ts'

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

export interface TagSource {
  readonly inst: Instance
  readonly glob: string
}

/** Every tag the pipeline can carry, as globs: inputs' tags and rewrite_tag's new tags. */
/** Inputs whose records carry tags chosen by the client that sent them. */
const CLIENT_TAGGED = new Set(['forward', 'http', 'opentelemetry', 'splunk', 'elasticsearch'])

export function producedTags(instances: readonly Instance[]): TagSource[] {
  // An unknown input produces nothing (its error is reported).
  const inputs = instances.filter((i) => i.kind === 'input' && i.plugin)
  const tags: TagSource[] = []
  for (const inst of inputs) {
    if (isOff(inst.raw.get('routable')?.value)) continue
    if (CLIENT_TAGGED.has(inst.name)) {
      // The sender chooses the tag (Fluent forward protocol, the URL path of in_http, a tag_key).
      tags.push({ inst, glob: `${inst.raw.get('tag_prefix')?.value ?? ''}*` })
      continue
    }
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

export function checkRouting(instances: readonly Instance[], tags: readonly TagSource[], out: Diagnostic[]): void {
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

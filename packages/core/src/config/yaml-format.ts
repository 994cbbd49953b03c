// Fluent Bit's YAML configuration format (docs.fluentbit.io, "YAML configuration"): top-level
// `env`, `includes`, `service`, `pipeline` (`inputs`, `filters`, `outputs`), `parsers`,
// `multiline_parsers` (with `rules: [{state, regex, next_state}]`), `plugins`, `upstream_servers`.
// Each list item becomes one Section whose entries keep the keys as written; a list of scalars under
// a key becomes that key repeated (`add: [a 1, b 2]` is `Add a 1` + `Add b 2`), and a nested map is
// flattened with dots (`storage: {type: filesystem}` is `storage.type filesystem`).

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  type Scalar,
  type YAMLMap,
  type Node as YamlNode,
} from 'yaml'
import type { SourceLocation } from '../diagnostics.ts'
import { closest } from '../options.ts'
import { type IncludeFn, UNSUPPORTED_SECTIONS } from './classic.ts'
import { type Collector, type FileRole, type MutableSection, newSection } from './collector.ts'
import type { SectionKind } from './model.ts'
import { expandVariables } from './variables.ts'

const TOP_LEVEL = [
  'env',
  'includes',
  'service',
  'pipeline',
  'parsers',
  'multiline_parsers',
  'plugins',
  'upstream_servers',
]

export async function readYaml(
  name: string,
  text: string,
  col: Collector,
  role: FileRole,
  stack: readonly string[],
  include: IncludeFn,
): Promise<void> {
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false })
  const d = col.diagnostics
  const at = (node: { range?: [number, number, number] | null } | null | undefined): SourceLocation => ({
    file: name,
    line: node?.range ? lc.linePos(node.range[0]).line : 1,
  })
  for (const e of doc.errors) {
    d.push({
      severity: 'error',
      message: `invalid YAML: ${e.message.split('\n')[0]}`,
      file: name,
      line: e.linePos?.[0]?.line ?? 1,
    })
  }
  if (doc.errors.length > 0) return
  const root = doc.contents
  if (root === null || root === undefined) return
  if (!isMap(root)) {
    d.push({
      severity: 'error',
      message: 'a YAML config must be a map (service, pipeline, …)',
      ...at(root as YamlNode),
    })
    return
  }

  /** Anchors and aliases (`&common` … `*common`) as libyaml resolves them for Fluent Bit. */
  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node)

  const sectionsFromList = (kind: SectionKind, node: unknown, what: string): void => {
    if (node === null || node === undefined) return
    if (!isSeq(node)) {
      d.push({ severity: 'error', message: `'${what}' must be a list of maps`, ...at(node as YamlNode) })
      return
    }
    for (const item of node.items) {
      if (!isMap(item)) {
        d.push({ severity: 'error', message: `each item of '${what}' must be a map`, ...at(item as YamlNode) })
        continue
      }
      const s = newSection(kind, at(item))
      mapToSection(item, s, '')
      col.sections.push(s)
    }
  }

  const mapToSection = (map: YAMLMap, s: MutableSection, prefix: string): void => {
    for (const pair of map.items as Pair<unknown, unknown>[]) {
      const key = keyOf(pair)
      const loc = at(pair.key as YamlNode)
      if (key === undefined) {
        d.push({ severity: 'error', message: 'a key must be a plain string', ...loc })
        continue
      }
      const full = prefix + key
      const v = deref(pair.value)
      const lower = full.toLowerCase()
      if (prefix === '' && lower === 'processors' && (s.kind === 'input' || s.kind === 'output')) {
        s.processors = isMap(v) || isSeq(v) ? v.toJSON() : v
        continue
      }
      if (prefix === '' && lower === 'rules' && s.kind === 'multiline_parser') {
        readRules(v, s)
        continue
      }
      if (isScalar(v)) {
        if (v.value === null) {
          d.push({ severity: 'error', message: `key '${full}' has no value`, option: full, ...loc })
          continue
        }
        s.entries.push({ key: full, value: expandVariables(scalarText(v), col.scope, d, loc), loc })
      } else if (isSeq(v)) {
        for (const raw of v.items) {
          const item = deref(raw)
          if (!isScalar(item) || item.value === null) {
            d.push({
              severity: 'error',
              message: `'${full}' must be a value or a list of values`,
              option: full,
              ...at(item as YamlNode),
            })
            continue
          }
          const iloc = at(item)
          s.entries.push({ key: full, value: expandVariables(scalarText(item), col.scope, d, iloc), loc: iloc })
        }
      } else if (isMap(v)) {
        mapToSection(v, s, `${full}.`)
      } else {
        d.push({ severity: 'error', message: `key '${full}' has no value`, option: full, ...loc })
      }
    }
  }

  const readRules = (v: unknown, s: MutableSection): void => {
    if (!isSeq(v)) {
      d.push({
        severity: 'error',
        message: "'rules' must be a list of {state, regex, next_state}",
        ...at(v as YamlNode),
      })
      return
    }
    for (const item of v.items) {
      const loc = at(item as YamlNode)
      if (!isMap(item)) {
        d.push({ severity: 'error', message: 'a rule must be a map {state, regex, next_state}', ...loc })
        continue
      }
      const get = (k: string): string | undefined => {
        const n = item.get(k, true)
        return isScalar(n) && n.value !== null ? expandVariables(scalarText(n), col.scope, d, loc) : undefined
      }
      const state = get('state')
      const regex = get('regex')
      const next = get('next_state')
      if (state === undefined || regex === undefined || next === undefined) {
        d.push({ severity: 'error', message: 'a rule needs state, regex and next_state', ...loc })
        continue
      }
      ;(s.rules ??= []).push({ state, regex, next, loc })
    }
  }

  // `env` first: variables apply to the whole file wherever they are written.
  for (const pair of root.items as Pair<unknown, unknown>[]) {
    if (keyOf(pair)?.toLowerCase() !== 'env') continue
    const v = pair.value
    if (!isMap(v)) {
      d.push({ severity: 'error', message: "'env' must be a map of NAME: value", ...at(pair.key as YamlNode) })
      continue
    }
    for (const p of v.items as Pair<unknown, unknown>[]) {
      const k = keyOf(p)
      if (k !== undefined && isScalar(p.value))
        col.scope.set.set(k, expandVariables(scalarText(p.value), col.scope, d, at(p.key as YamlNode)))
    }
  }

  for (const pair of root.items as Pair<unknown, unknown>[]) {
    const key = keyOf(pair)?.toLowerCase()
    const loc = at(pair.key as YamlNode)
    const v = pair.value
    if (key === 'env') continue
    if (role === 'parsers' && key !== 'parsers' && key !== 'multiline_parsers') {
      d.push({
        severity: 'error',
        message: `'${key}' is not allowed in a parsers file (only parsers and multiline_parsers); ignored`,
        ...loc,
      })
      continue
    }
    switch (key) {
      case 'includes': {
        const items = isSeq(v) ? v.items : isScalar(v) ? [v] : []
        if (items.length === 0) d.push({ severity: 'error', message: "'includes' must be a list of files", ...loc })
        for (const item of items) {
          if (!isScalar(item) || item.value === null) continue
          const iloc = at(item)
          await include(expandVariables(scalarText(item), col.scope, d, iloc), name, iloc.line, stack)
        }
        break
      }
      case 'service': {
        if (!isMap(v)) {
          d.push({ severity: 'error', message: "'service' must be a map", ...loc })
          break
        }
        const s = newSection('service', loc)
        mapToSection(v, s, '')
        col.sections.push(s)
        break
      }
      case 'pipeline': {
        if (!isMap(v)) {
          d.push({ severity: 'error', message: "'pipeline' must be a map of inputs, filters, outputs", ...loc })
          break
        }
        for (const p of v.items as Pair<unknown, unknown>[]) {
          const k = keyOf(p)?.toLowerCase()
          const kind = k === 'inputs' ? 'input' : k === 'filters' ? 'filter' : k === 'outputs' ? 'output' : undefined
          if (kind === undefined) {
            d.push({
              severity: 'error',
              message: `unknown pipeline key '${keyOf(p)}'${hint(keyOf(p), ['inputs', 'filters', 'outputs'])} (expected inputs, filters, outputs)`,
              ...at(p.key as YamlNode),
            })
            continue
          }
          sectionsFromList(kind, p.value, `pipeline.${k}`)
        }
        break
      }
      case 'parsers':
        sectionsFromList('parser', v, 'parsers')
        break
      case 'multiline_parsers':
        sectionsFromList('multiline_parser', v, 'multiline_parsers')
        break
      case 'plugins':
      case 'upstream_servers': {
        // Kept for completeness: Sluice has no shared-object plugins, and upstreams are read by the
        // outputs that name them.
        const s = newSection(key === 'plugins' ? 'plugins' : 'upstream', loc)
        if (isSeq(v))
          for (const item of v.items)
            if (isScalar(item)) s.entries.push({ key: 'path', value: scalarText(item), loc: at(item) })
        col.sections.push(s)
        break
      }
      case 'customs':
        d.push({ severity: 'warning', message: `'customs' is ignored: ${UNSUPPORTED_SECTIONS.custom}`, ...loc })
        break
      default:
        d.push({
          severity: 'error',
          message: `unknown top-level key '${keyOf(pair)}'${hint(keyOf(pair), TOP_LEVEL)} (expected one of ${TOP_LEVEL.join(', ')})`,
          ...loc,
        })
    }
  }
}

function keyOf(pair: Pair<unknown, unknown>): string | undefined {
  const k = pair.key
  if (isScalar(k) && k.value !== null && typeof k.value !== 'object') return String(k.value)
  return undefined
}

/** The scalar as written (`on` stays `on`, `1.50` stays `1.50`), or its value for quoted text. */
function scalarText(s: Scalar): string {
  return s.type === 'PLAIN' && typeof s.source === 'string' ? s.source : String(s.value)
}

function hint(key: string | undefined, known: readonly string[]): string {
  const near = key === undefined ? null : closest(key, known)
  return near ? ` (did you mean '${near}'?)` : ''
}

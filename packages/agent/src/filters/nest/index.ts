// nest: move top-level keys into a map, or lift a map's keys to the top level (Fluent Bit
// filter_nest).
//
// `lift` lifts ONE level, as Fluent Bit does: lifting `kubernetes` with Add_prefix `k8s_` turns
// `{kubernetes: {pod_name, labels: {app}}}` into `{k8s_pod_name, k8s_labels: {app}}`; reaching
// `k8s_labels_app` takes a second nest filter lifting `k8s_labels` with Add_prefix `k8s_labels_`
// (seed 004's Lua script reads `k8s_labels_app`, so its real configuration has both).
// Lifting a key that is not a map, or nesting when no key matches, leaves the record unchanged.
// Kept keys stay first; nested/lifted keys come after them, in their order.

import type { Body } from '@sluice/core/record.ts'
import { defineFilter } from '../../plugin.ts'
import { setKey, wildcard } from '../args.ts'

function isMap(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function renameKey(k: string, add: string | undefined, remove: string | undefined): string {
  let out = k
  if (remove && out.startsWith(remove)) out = out.slice(remove.length)
  if (add) out = add + out
  return out
}

/** Renamed keys remembered per filter instance, up to this many (keys that are data would grow it). */
const RENAMES_KEPT = 10_000

/**
 * renameKey with a memo: the same label and metadata keys come back in every record, and a key made
 * by concatenation is a new string V8 must look up (internalize) before it can be a property name.
 */
function renamer(add: string | undefined, remove: string | undefined): (k: string) => string {
  if (!add && !remove) return (k) => k
  const memo = new Map<string, string>()
  return (k) => {
    let r = memo.get(k)
    if (r === undefined) {
      r = renameKey(k, add, remove)
      if (memo.size < RENAMES_KEPT) memo.set(k, r)
    }
    return r
  }
}

export default defineFilter({
  name: 'nest',
  description: 'Nest top-level keys under a new map, or lift the keys of a map to the top level.',
  options: {
    operation: {
      type: 'str',
      values: ['nest', 'lift'],
      required: true,
      description: '`nest` moves matching keys into a map; `lift` moves the keys of a map to the top level.',
    },
    wildcard: {
      type: 'str',
      multiple: true,
      description: 'nest: keys to move (exact, or with `*`: `kubernetes_*`). Repeatable.',
    },
    nest_under: { type: 'str', description: 'nest: the key of the new map.' },
    nested_under: { type: 'str', description: 'lift: the key of the map whose keys are lifted.' },
    add_prefix: { type: 'str', description: 'Prefix added to every moved key.' },
    remove_prefix: { type: 'str', description: 'Prefix removed from every moved key that starts with it.' },
  },
  init(o) {
    if (o.operation === 'nest') {
      if (o.wildcard.length === 0) throw new Error("cannot configure nest: Operation nest needs 'Wildcard'")
      if (!o.nest_under) throw new Error("cannot configure nest: Operation nest needs 'Nest_under'")
    } else if (!o.nested_under) throw new Error("cannot configure nest: Operation lift needs 'Nested_under'")
    const matchers = o.wildcard.map(wildcard)
    return {
      lift: o.operation === 'lift',
      match: (k: string) => matchers.some((m) => m(k)),
      under: (o.operation === 'nest' ? o.nest_under : o.nested_under) as string,
      rename: renamer(o.add_prefix, o.remove_prefix),
    }
  },
  filter(events, _tag, s) {
    for (const e of events) {
      const b = e.body
      if (s.lift) {
        const inner = b[s.under]
        if (!isMap(inner)) continue
        const out: Body = {}
        for (const k in b) if (k !== s.under) setKey(out, k, b[k])
        for (const k in inner) setKey(out, s.rename(k), inner[k])
        e.body = out
      } else {
        const nested: Body = {}
        const out: Body = {}
        let any = false
        for (const k in b) {
          if (s.match(k)) {
            setKey(nested, s.rename(k), b[k])
            any = true
          } else setKey(out, k, b[k])
        }
        if (!any) continue
        out[s.under] = nested
        e.body = out
      }
    }
    return events
  },
})

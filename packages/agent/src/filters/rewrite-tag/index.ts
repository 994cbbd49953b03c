// rewrite_tag: re-emit records under a new tag computed from their content (Fluent Bit
// filter_rewrite_tag). `Rule KEY REGEX NEW_TAG KEEP`: the first rule whose KEY (a record accessor)
// matches REGEX wins; NEW_TAG may use `$1`… (captures), `$TAG`, `$TAG[n]` and `$key['sub']`.
// Re-tagged records go back to the start of the pipeline through ctx.emit and keep the delivery
// acknowledgement of their batch; with KEEP false the original is dropped (a decision, counted by
// the engine as a filter drop). The engine does not pass re-emitted records through this filter
// again, so a rule cannot loop.

import {
  parseRecordAccessor,
  parseTemplate,
  type RecordAccessor,
  type RecordTemplate,
} from '@sluice/core/record-accessor.ts'
import { parseBool } from '@sluice/core/options.ts'
import { defineFilter, type LogEvent } from '../../plugin.ts'
import { matchText, regex, splitArgs } from '../args.ts'

interface Rule {
  ra: RecordAccessor
  re: RegExp
  tag: RecordTemplate
  keep: boolean
}

function compile(text: string): Rule {
  const parts = splitArgs(text, 4)
  if (parts.length !== 4) throw new Error(`cannot configure 'rule ${text}': expected KEY REGEX NEW_TAG KEEP`)
  const [key, pattern, newTag, keepText] = parts as [string, string, string, string]
  const keep = parseBool(keepText)
  if (keep === undefined)
    throw new Error(`cannot configure 'rule ${text}': KEEP must be true or false, not '${keepText}'`)
  let ra: RecordAccessor
  try {
    ra = parseRecordAccessor(key)
  } catch (err) {
    throw new Error(`cannot configure 'rule ${text}': ${(err as Error).message}`)
  }
  return { ra, re: regex('rule', pattern), tag: parseTemplate(newTag), keep }
}

export default defineFilter({
  name: 'rewrite_tag',
  description: 'Re-emit records under a new tag computed from their content.',
  options: {
    rule: {
      type: 'str',
      multiple: true,
      required: true,
      description:
        '`KEY REGEX NEW_TAG KEEP`: when KEY matches REGEX, re-emit the record as NEW_TAG (`$1`, `$TAG`, `$TAG[n]`, `$key` allowed); KEEP true keeps the original too.',
    },
    emitter_name: { type: 'str', description: 'Name of the emitter that re-injects records (used in logs).' },
    'emitter_storage.type': {
      type: 'str',
      values: ['memory', 'filesystem'],
      default: 'memory',
      description: 'Buffer type of the emitter.',
      ignored: "re-tagged records stay in their input's buffer and follow its storage type",
    },
    emitter_mem_buf_limit: {
      type: 'size',
      default: '10M',
      description: 'Memory limit of the emitter.',
      ignored: "re-tagged records count against their input's Mem_Buf_Limit",
    },
  },
  init(o, ctx) {
    const rules = o.rule.map(compile)
    const missing = ctx.metrics
      .counter(
        'sluice_filter_rewrite_tag_unresolved_total',
        'Records whose new tag could not be built (left unchanged).',
      )
      .labels({ name: ctx.id })
    const emitted = ctx.metrics
      .counter('sluice_filter_rewrite_tag_emitted_total', 'Records re-emitted under a new tag.')
      .labels({ name: ctx.id })
    return { rules, missing, emitted, name: o.emitter_name ?? `emitter_for_${ctx.id}` }
  },
  filter(events, tag, s, ctx, ack) {
    const out: LogEvent[] = []
    const byTag = new Map<string, LogEvent[]>()
    let unresolved = 0
    for (const e of events) {
      let done = false
      for (const r of s.rules) {
        const t = matchText(r.ra.get(e.body))
        if (t === undefined) continue
        const m = r.re.exec(t)
        if (!m) continue
        const nt = r.tag.render(e.body, { tag, groups: m })
        if (nt.missing || nt.text === '') {
          unresolved++
          break
        }
        const copy = r.keep ? { sec: e.sec, nsec: e.nsec, body: structuredClone(e.body) } : e
        let list = byTag.get(nt.text)
        if (!list) byTag.set(nt.text, (list = []))
        list.push(copy)
        if (r.keep) out.push(e)
        done = true
        break
      }
      if (!done) out.push(e)
    }
    for (const [newTag, list] of byTag) {
      ack.retain()
      s.emitted.inc(list.length)
      ctx.emit(newTag, list, ack)
    }
    if (unresolved > 0) {
      s.missing.inc(unresolved)
      ctx.log.warn(
        `${s.name}: ${unresolved} records matched a rule but their new tag could not be built (kept as ${tag})`,
      )
    }
    return out
  },
})

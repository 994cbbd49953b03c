// parser: parse one field of the record with named parsers (Fluent Bit filter_parser).
//
// Parsers are tried in order; the first that matches wins. The result replaces the record unless
// Reserve_Data keeps the other fields; Preserve_Key keeps the parsed field itself. When the parser
// finds a time (its Time_Key), the record takes that time. A record whose field is missing, not a
// string, or matched by no parser passes unchanged (counted; logged at debug level).

import type { Body } from '@sluice/core/record.ts'
import { parseRecordAccessor } from '@sluice/core/record-accessor.ts'
import type { Parser } from '../../parsers/types.ts'
import { defineFilter } from '../../plugin.ts'
import { shapeMerger } from './merge.ts'

export default defineFilter({
  name: 'parser',
  description: 'Parse a field of the record with one or more parsers.',
  options: {
    key_name: { type: 'str', required: true, description: 'Field to parse.' },
    parser: {
      type: 'str',
      multiple: true,
      required: true,
      description: 'Parser name (repeatable; the first that matches wins).',
    },
    reserve_data: {
      type: 'bool',
      default: 'false',
      description: 'Keep the other fields of the original record beside the parsed ones.',
    },
    preserve_key: {
      type: 'bool',
      default: 'false',
      description: 'Keep the original field (Key_Name) in the result.',
    },
  },
  init(o, ctx) {
    const parsers: Parser[] = o.parser.map((name) => {
      const p = ctx.parsers.get(name.trim())
      if (!p) {
        throw new Error(
          `cannot configure parser: unknown parser '${name}' (known: ${ctx.parsers.names().join(', ') || 'none'})`,
        )
      }
      return p
    })
    const ra = parseRecordAccessor(o.key_name)
    const unparsed = ctx.metrics
      .counter('sluice_filter_parser_unparsed_records_total', 'Records the parser filter passed unchanged.')
      .labels({ name: ctx.id })
    // A plain top-level key (`log`, `$log`): its value is removed by leaving it out of a new record.
    const topKey = ra.path.length === 1 && typeof ra.path[0] === 'string' ? ra.path[0] : undefined
    // Reserve_Data of a top-level key: the kept fields and the parsed ones merged into a new record
    // (not spread + delete + Object.assign: `delete` turns the record into a slow dictionary object).
    const merge = o.reserve_data && !o.preserve_key && topKey !== undefined ? shapeMerger(topKey) : undefined
    return { parsers, ra, key: o.key_name, reserve: o.reserve_data, preserve: o.preserve_key, merge, unparsed }
  },
  filter(events, _tag, s, ctx) {
    let missed = 0
    let why = ''
    for (const e of events) {
      const v = s.ra.get(e.body)
      if (typeof v !== 'string') {
        missed++
        why ||= v === undefined ? `no field '${s.key}'` : `field '${s.key}' is not a string`
        continue
      }
      let hit: ReturnType<Parser['parse']> = null
      for (const p of s.parsers) {
        hit = p.parse(v)
        if (hit) break
      }
      if (!hit) {
        missed++
        why ||= `no parser matched '${v.length > 80 ? `${v.slice(0, 80)}…` : v}'`
        continue
      }
      let body: Body
      if (s.merge !== undefined) body = s.merge(e.body, hit.body)
      else if (s.reserve) {
        body = { ...e.body }
        if (!s.preserve) s.ra.remove(body)
        Object.assign(body, hit.body)
      } else {
        body = hit.body
        if (s.preserve) s.ra.set(body, v)
      }
      e.body = body
      if (hit.sec !== undefined) {
        e.sec = hit.sec
        e.nsec = hit.nsec ?? 0
      }
    }
    if (missed > 0) {
      s.unparsed.inc(missed)
      if (ctx.log.enabled('debug')) ctx.log.debug(`${missed} of ${events.length} records passed unparsed: ${why}`)
    }
    return events
  },
})

// lua: run a Lua function on every record (Fluent Bit filter_lua), in a real Lua 5.4 VM (wasmoon).
//
// The function is called as Fluent Bit calls it — fn(tag, timestamp, record) — and returns
// code, timestamp, record: -1 drops the record, 0 keeps it unchanged, 1 replaces record and
// timestamp, 2 replaces the record and keeps the timestamp. The record returned may be an array of
// records (one record becomes several). A call that fails (or returns something invalid) keeps the
// record unchanged and is counted and logged. Batches cross into the VM once (docs/scripting.md).

import type { LogEvent } from '@sluice/core/record.ts'
import { defineFilter } from '../../plugin.ts'
import { decodeOutcomes, Writer } from './codec.ts'
import { lazyRecordsSafe } from './driver.ts'
import { LuaVm } from './vm.ts'

export default defineFilter({
  name: 'lua',
  description: 'Run a Lua function on each record: modify, drop or split records.',
  options: {
    script: { type: 'str', description: 'Path of the Lua script (also found among the keys of the ConfigMap).' },
    call: { type: 'str', required: true, description: 'Name of the Lua function called for each record.' },
    code: { type: 'str', description: 'Inline Lua code, instead of a script file.' },
    protected_mode: {
      type: 'bool',
      default: 'true',
      description: 'Run each call in protected mode: an error keeps the record instead of failing the batch.',
    },
    time_as_table: {
      type: 'bool',
      default: 'false',
      description: 'Pass the timestamp as a table {sec, nsec} instead of a floating-point number of seconds.',
    },
    type_int_key: {
      type: 'slist',
      description: 'Keys whose numeric values are converted to integers on the way back (space-separated).',
    },
    type_array_key: {
      type: 'slist',
      description: 'Keys whose table values are arrays on the way back, even when empty (space-separated).',
    },
    enable_flb_null: {
      type: 'bool',
      default: 'false',
      description: 'Pass null values as `flb_null` instead of nil, so keys with null values survive the call.',
    },
  },
  async init(o, ctx) {
    if (o.script && o.code) throw new Error("cannot configure lua: set either 'script' or 'code', not both")
    if (!o.script && !o.code) throw new Error("cannot configure lua: 'script' or 'code' is required")
    const name = o.script ?? 'code'
    let source: string
    if (o.script) {
      try {
        source = await ctx.readFile(o.script)
      } catch (err) {
        throw new Error(`cannot read Lua script ${o.script}: ${(err as Error).message}`)
      }
    } else source = o.code!
    const lazy = lazyRecordsSafe(source)
    const vm = await LuaVm.create(source, name, {
      call: o.call,
      lazy,
      protectedMode: o.protected_mode,
      timeAsTable: o.time_as_table,
      enableFlbNull: o.enable_flb_null,
      intKeys: o.type_int_key ?? [],
      arrayKeys: o.type_array_key ?? [],
    })
    const errors = ctx.metrics
      .counter('sluice_filter_lua_errors_total', 'Lua calls that failed or returned an invalid result (record kept).')
      .labels({ name: ctx.id })
    return { vm, writer: new Writer(64 * 1024, lazy), errors, call: o.call, name }
  },
  filter(events, tag, s, ctx) {
    if (events.length === 0) return events
    let outcomes: ReturnType<typeof decodeOutcomes>
    try {
      const keys: string[] = []
      outcomes = decodeOutcomes(s.vm.run(s.writer.batch(tag, events, keys)), events, keys, s.writer.undefinedIn)
    } catch (err) {
      // Not protected (or a codec failure): the whole batch passes unchanged, counted and logged.
      s.errors.inc(events.length)
      ctx.log.error(
        `${s.name}: ${s.call}() failed on a batch of ${events.length}, records kept: ${(err as Error).message}`,
      )
      return events
    }
    const out: LogEvent[] = []
    let failed = 0
    let first = ''
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      const r = outcomes[i]!
      switch (r.kind) {
        case 'keep':
          out.push(e)
          break
        case 'drop':
          break
        case 'error':
          failed++
          first ||= r.message
          out.push(e)
          break
        case 'records': {
          const sec = r.time ? r.time.sec : e.sec
          const nsec = r.time ? r.time.nsec : e.nsec
          for (const body of r.bodies) out.push({ sec, nsec, body })
        }
      }
    }
    if (failed > 0) {
      s.errors.inc(failed)
      ctx.log.error(
        `${s.name}: ${s.call}() failed for ${failed} of ${events.length} records (kept unchanged): ${first}`,
      )
    }
    return out
  },
  stop(s) {
    s.vm.close()
  },
})

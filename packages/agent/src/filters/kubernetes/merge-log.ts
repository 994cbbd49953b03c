// Merge_Log as Fluent Bit's kubernetes filter does it: only the `log` key is processed (so records
// from the `cri` *regex* parser, whose text is in `message`, are left alone, while the `cri`
// *multiline* parser's `log` is merged). The text is parsed with the pod's suggested parser, else
// Merge_Parser, else as JSON (exclusive, not chained); on failure the record is untouched. The
// result goes under Merge_Log_Key, or at the top level; Keep_Log Off removes `log` once merged;
// Merge_Log_Trim removes trailing \n / \r from merged string values.

import type { Parser } from '../../parsers/types.ts'
import { setKey } from '../args.ts'

export interface MergeOptions {
  readonly key?: string
  readonly trim: boolean
  readonly keepLog: boolean
}

export interface MergeResult {
  /** The new body, or undefined when nothing was merged. */
  body?: Record<string, unknown>
  /** Time from the parser's Time_Key, when it had one. */
  sec?: number
  nsec?: number
}

export function mergeLog(body: Record<string, unknown>, parser: Parser | undefined, o: MergeOptions): MergeResult {
  const log = body.log
  if (typeof log !== 'string') return {}
  let parsed: Record<string, unknown> | undefined
  let sec: number | undefined
  let nsec: number | undefined
  if (parser) {
    const r = parser.parse(log)
    if (!r) return {}
    parsed = r.body
    sec = r.sec
    nsec = r.nsec
  } else {
    const t = log.trimStart()
    if (t[0] !== '{') return {}
    try {
      const v: unknown = JSON.parse(log)
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return {}
      parsed = v as Record<string, unknown>
    } catch {
      return {}
    }
  }
  if (o.trim) {
    // (most values end in neither: the regex runs only for those that do)
    for (const k in parsed) {
      const v = parsed[k]
      if (typeof v !== 'string') continue
      const c = v.charCodeAt(v.length - 1)
      if (c === 10 || c === 13) parsed[k] = v.replace(/[\r\n]+$/, '')
    }
  }
  const out: Record<string, unknown> = {}
  // setKey: a `__proto__` key of the log's JSON is a field, not the object's prototype
  for (const k in body) if (k !== 'log' || o.keepLog) setKey(out, k, body[k])
  if (o.key) setKey(out, o.key, parsed)
  else for (const k in parsed) setKey(out, k, parsed[k])
  return { body: out, sec, nsec }
}

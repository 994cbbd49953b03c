// A cheap size estimate of records, in bytes, close to their JSON/msgpack size. Used for
// Mem_Buf_Limit accounting, the ~2 MB chunk limit and the bytes counters. It walks each record's
// fields without allocating (no JSON.stringify per record: that would double the cost of the
// hot path); nested values are walked to a small depth, then counted at a flat guess.

import type { LogEvent } from '@sluice/core/record.ts'

const MAX_DEPTH = 3
const DEEP_GUESS = 64

// fast path: one pass over keys with for…in, no arrays built
function valueBytes(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2
    case 'number':
      return 8
    case 'boolean':
      return 4
    case 'bigint':
      return 8
    case 'object': {
      if (v === null) return 4
      if (depth >= MAX_DEPTH) return DEEP_GUESS
      if (Array.isArray(v)) {
        let n = 2
        for (let i = 0; i < v.length; i++) n += valueBytes(v[i], depth + 1) + 1
        return n
      }
      if (v instanceof Uint8Array) return v.byteLength
      let n = 2
      const o = v as Record<string, unknown>
      for (const k in o) n += k.length + 3 + valueBytes(o[k], depth + 1)
      return n
    }
    default:
      return 0
  }
}

/** Estimated bytes of one record (timestamp included). */
export function eventBytes(e: LogEvent): number {
  return 16 + valueBytes(e.body, 0)
}

/** Batches up to this size are measured record by record; larger ones are sampled. */
const SAMPLE = 64

/**
 * Estimated bytes of a batch. Large batches are sampled at an even stride (records of one batch come
 * from one source and look alike), so the cost per batch stays bounded: ~64 records walked.
 */
export function estimateBytes(events: readonly LogEvent[]): number {
  const len = events.length
  if (len <= SAMPLE) {
    let n = 0
    for (let i = 0; i < len; i++) n += eventBytes(events[i]!)
    return n
  }
  const stride = len / SAMPLE
  let n = 0
  for (let k = 0; k < SAMPLE; k++) n += eventBytes(events[Math.floor(k * stride)]!)
  return Math.round((n / SAMPLE) * len)
}

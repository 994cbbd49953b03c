// `mode partial_message`: Docker's fluentd log driver splits lines over 16 KiB into records marked
// `partial_message: "true"` with `partial_id`, `partial_ordinal` and `partial_last`; the parts of
// one id are joined in order of arrival and the partial_* markers are removed.

import type { Body, LogEvent } from '@sluice/core/record.ts'
import type { Joined } from '../../multiline/joiner.ts'
import { withoutKeys } from '../rebuild.ts'

const MARKERS = ['partial_message', 'partial_id', 'partial_ordinal', 'partial_last']
const isMarker = (k: string) => MARKERS.includes(k)

interface Pending<T> {
  first: LogEvent
  parts: string[]
  tokens: T[]
  lastAt: number
  group: string
}

export class PartialJoiner<T> {
  readonly #key: string
  readonly #pending = new Map<string, Pending<T>>()
  now: () => number = Date.now
  constructor(keyContent: string) {
    this.#key = keyContent
  }

  pushTracked(e: LogEvent, group: string, token: T): Joined<T>[] {
    const b = e.body
    const content = b[this.#key]
    if (String(b.partial_message) !== 'true' || typeof content !== 'string')
      return [{ event: e, tokens: [token], group }]
    const id = `${group}\u0000${String(b.partial_id ?? '')}`
    let p = this.#pending.get(id)
    if (!p) this.#pending.set(id, (p = { first: e, parts: [], tokens: [], lastAt: 0, group }))
    p.parts.push(content)
    p.tokens.push(token)
    p.lastAt = this.now()
    if (String(b.partial_last) === 'true') return [this.#complete(id)]
    return []
  }

  flushExpiredTracked(now: number, flushMs: number): Joined<T>[] {
    const out: Joined<T>[] = []
    for (const [id, p] of this.#pending) if (now - p.lastAt >= flushMs) out.push(this.#complete(id))
    return out
  }

  flushAllTracked(): Joined<T>[] {
    return [...this.#pending.keys()].map((id) => this.#complete(id))
  }

  nextDeadline(flushMs: number): number | undefined {
    let min: number | undefined
    for (const p of this.#pending.values()) if (min === undefined || p.lastAt + flushMs < min) min = p.lastAt + flushMs
    return min
  }

  pending(): number {
    let n = 0
    for (const p of this.#pending.values()) n += p.parts.length
    return n
  }

  #complete(id: string): Joined<T> {
    const p = this.#pending.get(id)!
    this.#pending.delete(id)
    // a new record either way: the first part's body is not changed
    const kept = withoutKeys(p.first.body, isMarker)
    const body: Body = kept === p.first.body ? { ...kept } : kept
    body[this.#key] = p.parts.join('')
    return { event: { sec: p.first.sec, nsec: p.first.nsec, body }, tokens: p.tokens, group: p.group }
  }
}

// One Ack standing for several: a record joined from lines of different batches keeps every batch
// it came from unacknowledged until the joined record is delivered.
//
// The engine routes re-emitted records only with an ack it issued (a Delivery owned by the input),
// so when the batches came from the engine the composite is a Delivery of its own — same owner,
// no bytes of its own (the batches it holds keep theirs) — whose completion releases them all.

import { Delivery } from '../../engine/delivery.ts'
import type { Ack } from '../../plugin.ts'

export interface Composite {
  readonly ack: Ack
  /** True when `ack` is born retained (a fresh Delivery): do not retain it again before emitting. */
  readonly retained: boolean
}

export function compositeAck(tokens: readonly Ack[]): Composite {
  const counts = new Map<Ack, number>()
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1)
  if (counts.size === 1) return { ack: tokens[0]!, retained: false }
  // a rejected joined record rejects the lines each batch contributed to it
  const releaseAll = (rejected: number) => {
    for (const [a, n] of counts) a.release(rejected > 0 ? n : 0)
  }
  const first = tokens[0]
  if (first instanceof Delivery && first.owner) {
    for (const a of counts.keys()) a.retain()
    return { ack: new Delivery(1, 0, first.owner, (o) => releaseAll(o.rejected)), retained: true }
  }
  return {
    ack: {
      retain() {
        for (const a of counts.keys()) a.retain()
      },
      release: releaseAll,
    },
    retained: false,
  }
}

// One Ack standing for several: a record joined from lines of different batches keeps every batch
// it came from unacknowledged until the joined record is delivered.

import type { Ack } from '../../plugin.ts'

export function compositeAck(tokens: readonly Ack[]): Ack {
  const counts = new Map<Ack, number>()
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1)
  if (counts.size === 1) return tokens[0]!
  return {
    retain() {
      for (const a of counts.keys()) a.retain()
    },
    release(rejected = 0) {
      // a rejected joined record rejects the lines each batch contributed to it
      for (const [a, n] of counts) a.release(rejected > 0 ? n : 0)
    },
  }
}

// Records as Fluent Bit's internal msgpack (the `msgpack` format of stdout, file and http): each
// record `[[EventTime, {metadata}], {body}]` (Fluent Bit 2.1+ event format), EventTime being the
// Fluent forward protocol's extension type 0 (4-byte seconds, 4-byte nanoseconds, big-endian).

import { Encoder, ExtData } from '@msgpack/msgpack'
import type { LogEvent } from '@sluice/core/record.ts'

const encoder = new Encoder({ ignoreUndefined: true })

export function eventTime(sec: number, nsec: number): ExtData {
  const b = new Uint8Array(8)
  const v = new DataView(b.buffer)
  v.setUint32(0, sec >>> 0)
  v.setUint32(4, nsec >>> 0)
  return new ExtData(0, b)
}

/** The msgpack stream of a batch (records back to back). */
export function eventsToMsgpack(events: readonly LogEvent[]): Buffer {
  const chunks: Uint8Array[] = []
  let size = 0
  for (const e of events) {
    const c = encoder.encode([[eventTime(e.sec, e.nsec), {}], e.body])
    chunks.push(c.slice())
    size += c.length
  }
  return Buffer.concat(chunks, size)
}

// Live tail over Server-Sent Events (HTML Living Standard, "Server-sent events"). The event id is the
// store sequence number up to which the client has seen everything, so a reconnect that sends
// Last-Event-ID resumes exactly there: nothing lost, nothing repeated.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Principal } from '../auth.ts'
import { HttpError } from '../http/util.ts'
import type { Store } from '../store/store.ts'
import { compileFilter, tailBatch, toHit } from './query.ts'

const BATCH = 500
export const PING_MS = 15_000

export async function serveTail(
  store: Store,
  p: Principal,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  track: (res: ServerResponse) => void,
): Promise<void> {
  const query = url.searchParams.get('query') ?? ''
  // Validate the query before the stream starts, so a typo is a 400 with the error shape.
  await compileFilter(store, p, query, 0, 1, Date.now())
  const last = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? undefined
  let cursor = store.appliedSeq
  if (last !== undefined && last !== '') {
    const n = Number(last)
    if (!Number.isSafeInteger(n) || n < -1)
      throw new HttpError(400, 'bad_request', `Last-Event-ID '${last}' is not a tail cursor`)
    cursor = n
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  track(res)
  // The first event tells the client its cursor even before anything matches.
  res.write(`retry: 2000\nid: ${cursor}\nevent: hits\ndata: {"hits":[]}\n\n`)

  let closed = false
  let running = false
  let again = false
  const pump = async () => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        for (;;) {
          const upto = store.appliedSeq
          if (upto <= cursor || closed) break
          const rows = await tailBatch(store, p, query, cursor, upto, BATCH)
          const full = rows.length >= BATCH
          const next = full ? rows.at(-1)!.seq : upto
          if (rows.length > 0 && !closed) {
            res.write(`id: ${next}\nevent: hits\ndata: ${JSON.stringify({ hits: rows.map((r) => toHit(r)) })}\n\n`)
          }
          cursor = next
          if (!full) break
        }
      } while (again && !closed)
    } catch (e) {
      if (!closed)
        res.write(
          `event: error\ndata: ${JSON.stringify({ error: { type: 'internal', reason: (e as Error).message } })}\n\n`,
        )
    } finally {
      running = false
    }
  }
  const onApplied = () => void pump()
  store.events.on('applied', onApplied)
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS)
  const stop = () => {
    if (closed) return
    closed = true
    clearInterval(ping)
    store.events.off('applied', onApplied)
  }
  req.on('close', stop)
  res.on('close', stop)
  void pump()
}

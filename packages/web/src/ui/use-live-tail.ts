// Live tail: follows /api/tail for the query into a LiveBuffer (pausing keeps every new record; the
// view holds the newest LIVE_LIMIT rows and says when older ones left it). Bursts render once per frame.
import { useCallback, useEffect, useRef, useState } from 'react'
import { authHeaders } from '../lib/api.ts'
import type { Hit } from '../lib/hit.ts'
import { LiveBuffer } from '../lib/live-buffer.ts'
import type { LogRowModel } from '../lib/row-model.ts'
import { followEvents } from '../lib/sse.ts'

export const LIVE_LIMIT = 100_000

export interface LiveTail {
  rows: LogRowModel[]
  pending: number
  paused: boolean
  trimmed: number
  status: 'connecting' | 'open' | 'reconnecting' | 'error'
  error: string | undefined
  pause: () => void
  resume: () => void
}

export function useLiveTail(enabled: boolean, query: string): LiveTail {
  const buf = useRef(new LiveBuffer(LIVE_LIMIT))
  // Bumped whenever the buffer changes, to re-render with its current contents.
  const [, setVersion] = useState(0)
  const [status, setStatus] = useState<LiveTail['status']>('connecting')
  const [error, setError] = useState<string | undefined>()
  const bump = useCallback(() => setVersion((v) => v + 1), [])

  useEffect(() => {
    if (!enabled) return
    buf.current = new LiveBuffer(LIVE_LIMIT)
    bump()
    setStatus('connecting')
    setError(undefined)
    let raf = 0
    const handle = followEvents(
      `/api/tail?query=${encodeURIComponent(query)}`,
      authHeaders(),
      (e) => {
        if (e.event !== 'hits') return
        let hits: Hit[]
        try {
          hits = (JSON.parse(e.data) as { hits: Hit[] }).hits
        } catch {
          return
        }
        buf.current.push(hits)
        if (!raf) {
          raf = requestAnimationFrame(() => {
            raf = 0
            bump()
          })
        }
      },
      (s, detail) => {
        setStatus(s)
        if (s === 'error') setError(detail)
      },
    )
    return () => {
      handle.close()
      cancelAnimationFrame(raf)
    }
  }, [enabled, query, bump])

  const b = buf.current
  return {
    rows: b.rows,
    pending: b.pending,
    paused: b.paused,
    trimmed: b.trimmed,
    status,
    error,
    pause: () => {
      b.pause()
      bump()
    },
    resume: () => {
      b.resume()
      bump()
    },
  }
}

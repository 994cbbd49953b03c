// Live tail: follows /api/tail for the query. While paused, new records are kept in a pending buffer
// and shown on resume, so pausing loses nothing; the view keeps the newest LIVE_LIMIT rows and says so
// when older ones leave the view.
import { useEffect, useRef, useState } from 'react'
import { authHeaders } from '../lib/api.ts'
import type { Hit } from '../lib/hit.ts'
import { type LogRowModel, RowModelCache } from '../lib/row-model.ts'
import { followEvents } from '../lib/sse.ts'

export const LIVE_LIMIT = 100_000

export interface LiveTail {
  rows: LogRowModel[]
  pending: number
  paused: boolean
  trimmed: boolean
  status: 'connecting' | 'open' | 'reconnecting' | 'error'
  error: string | undefined
  pause: () => void
  resume: () => void
}

export function useLiveTail(enabled: boolean, query: string): LiveTail {
  const [rows, setRows] = useState<LogRowModel[]>([])
  const [paused, setPaused] = useState(false)
  const [pending, setPending] = useState(0)
  const [trimmed, setTrimmed] = useState(false)
  const [status, setStatus] = useState<LiveTail['status']>('connecting')
  const [error, setError] = useState<string | undefined>()
  const buffer = useRef<Hit[]>([])
  const pausedRef = useRef(false)
  const cache = useRef(new RowModelCache())

  const flush = () => {
    const hits = buffer.current
    buffer.current = []
    setPending(0)
    if (hits.length === 0) return
    // Newest first, like the search table's default sort.
    const fresh = cache.current.rows(hits).reverse()
    setRows((old) => {
      const next = fresh.concat(old)
      if (next.length > LIVE_LIMIT) {
        setTrimmed(true)
        return next.slice(0, LIVE_LIMIT)
      }
      return next
    })
  }

  // flush only touches refs and state setters, so the stream is not restarted when it changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (!enabled) return
    setRows([])
    setTrimmed(false)
    buffer.current = []
    cache.current.clear()
    setStatus('connecting')
    setError(undefined)
    let raf = 0
    const handle = followEvents(
      `/api/tail?query=${encodeURIComponent(query)}`,
      authHeaders(),
      (e) => {
        if (e.event !== 'hits') return
        try {
          const hits = (JSON.parse(e.data) as { hits: Hit[] }).hits
          buffer.current.push(...hits)
        } catch {
          return
        }
        if (pausedRef.current) setPending(buffer.current.length)
        else if (!raf) {
          // Batch bursts into one render per frame.
          raf = requestAnimationFrame(() => {
            raf = 0
            if (!pausedRef.current) flush()
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
  }, [enabled, query])

  return {
    rows,
    pending,
    paused,
    trimmed,
    status,
    error,
    pause: () => {
      pausedRef.current = true
      setPaused(true)
    },
    resume: () => {
      pausedRef.current = false
      setPaused(false)
      flush()
    },
  }
}

// Runs an async load whenever its dependencies change, aborting the previous one, and exposes
// loading/error/data for the empty, loading and error states.
import { type DependencyList, useEffect, useRef, useState } from 'react'

export interface AsyncState<T> {
  data: T | undefined
  error: unknown
  loading: boolean
}

export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): AsyncState<T> & {
  reload: () => void
} {
  const [state, setState] = useState<AsyncState<T>>({ data: undefined, error: undefined, loading: true })
  const [nonce, setNonce] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    const ctl = new AbortController()
    setState((s) => ({ ...s, loading: true, error: undefined }))
    loadRef.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false })
      },
      (error) => {
        if (!ctl.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }))
      },
    )
    return () => ctl.abort()
  }, [...deps, nonce])
  return { ...state, reload: () => setNonce((n) => n + 1) }
}

/** A counter that increases every `ms` (0 = never): auto-refresh triggers. */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (ms <= 0) return
    const h = setInterval(() => setTick((n) => n + 1), ms)
    return () => clearInterval(h)
  }, [ms])
  return tick
}

// The URL is the single source of truth for what is shown: components read state from it and change it
// through `update`, which pushes a history entry (or replaces, for typing-speed changes).
import { useCallback, useEffect, useState } from 'react'
import { decodeState, encodeState, type UrlState } from '../lib/url-state.ts'

function read(): UrlState {
  return decodeState(location.pathname, location.search)
}

export function useUrlState(): [UrlState, (patch: Partial<UrlState>, opts?: { replace?: boolean }) => void] {
  const [state, setState] = useState(read)
  useEffect(() => {
    const onPop = () => setState(read())
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const update = useCallback((patch: Partial<UrlState>, opts?: { replace?: boolean }) => {
    const next = { ...read(), ...patch }
    const url = encodeState(next)
    if (url !== location.pathname + location.search) {
      if (opts?.replace) history.replaceState(null, '', url)
      else history.pushState(null, '', url)
    }
    setState(next)
  }, [])
  // Normalise the address bar once (e.g. `/` → `/explore`), so shared links are canonical.
  useEffect(() => {
    const url = encodeState(read())
    if (url !== location.pathname + location.search) history.replaceState(null, '', url)
  }, [])
  return [state, update]
}

/** Navigates to a full app URL (used by dashboard click-throughs). */
export function navigateTo(url: string): void {
  history.pushState(null, '', url)
  dispatchEvent(new PopStateEvent('popstate'))
}

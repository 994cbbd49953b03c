// Everything the engine does with time goes through one injectable object, so that tests run the
// flush interval, retry backoff and shutdown grace in milliseconds and with a fixed random source.

export interface Timing {
  /** Epoch milliseconds. */
  now(): number
  /** Uniform in [0, 1): the jitter of the retry backoff. */
  random(): number
  /** Multiplies every configured duration (Flush, backoff, Grace, Retry-After): 1 in production. */
  readonly scale: number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTiming: Timing = {
  now: () => Date.now(),
  random: () => Math.random(),
  scale: 1,
  setTimeout(fn, ms) {
    // unref: a pending flush or retry timer alone must not keep the process alive after stop()
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

export function resolveTiming(partial?: Partial<Timing>): Timing {
  return { ...realTiming, ...partial }
}

/** Milliseconds for a duration in configured seconds, after scaling. */
export function scaledMs(timing: Timing, seconds: number): number {
  return Math.max(0, seconds * 1000 * timing.scale)
}

/**
 * A deadline after `ms` (scaled already) using the injected timers. Unlike the flush and retry
 * timers, it keeps the process alive (the shutdown drain waits on it); cancel it once the wait is over.
 */
export function deadline(timing: Timing, ms: number): { readonly reached: Promise<void>; cancel(): void } {
  let handle: unknown
  const reached = new Promise<void>((resolve) => {
    handle = timing.setTimeout(resolve, ms)
    ;(handle as { ref?: () => void } | undefined)?.ref?.()
  })
  return { reached, cancel: () => timing.clearTimeout(handle) }
}

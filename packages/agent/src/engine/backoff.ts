// Retry delays: "full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And
// Jitter"), configured like Fluent Bit's scheduler with `scheduler.base` and `scheduler.cap`:
// sleep = random(0, min(cap, base * 2^attempt)) seconds. A server's Retry-After wins when given.

export interface BackoffSettings {
  /** scheduler.base, seconds. */
  readonly base: number
  /** scheduler.cap, seconds. */
  readonly cap: number
}

/**
 * Seconds to wait before retry number `attempt` (0 for the first retry). `random` is uniform in
 * [0, 1). `retryAfterSec`, when the destination asked for it, replaces the jittered delay (capped).
 */
export function backoffSeconds(
  attempt: number,
  s: BackoffSettings,
  random: () => number,
  retryAfterSec?: number,
): number {
  if (retryAfterSec !== undefined && Number.isFinite(retryAfterSec) && retryAfterSec >= 0)
    return Math.min(retryAfterSec, s.cap)
  // 2^attempt overflows to Infinity for huge attempts; min() keeps the cap.
  const ceiling = Math.min(s.cap, s.base * 2 ** Math.min(attempt, 1024))
  return random() * ceiling
}

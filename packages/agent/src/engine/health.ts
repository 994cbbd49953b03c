// Fluent Bit's health check (administration/monitoring, "Health check for Fluent Bit"): with
// Health_Check on, the agent is unhealthy when, within the last HC_Period seconds, the output
// errors summed over all outputs exceed HC_Errors_Count, or the failed retries exceed
// HC_Retry_Failure_Count. Only the most recent threshold+1 events are kept, so memory is bounded
// however many errors happen.

export interface HealthSettings {
  readonly enabled: boolean
  readonly errorsCount: number
  readonly retryFailureCount: number
  /** Seconds. */
  readonly period: number
}

class Window {
  private readonly times: number[] = []
  private readonly keep: number
  constructor(threshold: number) {
    this.keep = Math.max(1, threshold + 1)
  }
  add(now: number): void {
    this.times.push(now)
    if (this.times.length > this.keep) this.times.shift()
  }
  count(now: number, periodMs: number): number {
    let n = 0
    for (const t of this.times) if (now - t <= periodMs) n++
    return n
  }
}

export class Health {
  private settings: HealthSettings
  private errors: Window
  private retryFailures: Window
  private readonly now: () => number

  constructor(settings: HealthSettings, now: () => number) {
    this.settings = settings
    this.now = now
    this.errors = new Window(settings.errorsCount)
    this.retryFailures = new Window(settings.retryFailureCount)
  }

  update(settings: HealthSettings): void {
    this.settings = settings
    this.errors = new Window(settings.errorsCount)
    this.retryFailures = new Window(settings.retryFailureCount)
  }

  error(): void {
    this.errors.add(this.now())
  }

  retryFailed(): void {
    this.retryFailures.add(this.now())
  }

  status(): { healthy: boolean; errors: number; retriesFailed: number } {
    const now = this.now()
    const p = this.settings.period * 1000
    const errors = this.errors.count(now, p)
    const retriesFailed = this.retryFailures.count(now, p)
    const healthy =
      !this.settings.enabled ||
      (errors <= this.settings.errorsCount && retriesFailed <= this.settings.retryFailureCount)
    return { healthy, errors, retriesFailed }
  }
}

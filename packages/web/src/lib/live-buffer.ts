// The live tail's record keeping, separate from React so it can be tested: arriving hits queue while
// paused and are all shown on resume (pausing loses nothing); the view holds the newest `limit` rows
// and records that older ones left the view.
import type { Hit } from './hit.ts'
import { type LogRowModel, RowModelCache } from './row-model.ts'

export class LiveBuffer {
  readonly limit: number
  #rows: LogRowModel[] = []
  #pending: Hit[] = []
  #paused = false
  #trimmed = 0
  #cache = new RowModelCache()

  constructor(limit: number) {
    this.limit = limit
  }

  /** Newest first. */
  get rows(): LogRowModel[] {
    return this.#rows
  }
  get pending(): number {
    return this.#pending.length
  }
  get paused(): boolean {
    return this.#paused
  }
  /** How many rows left the view because of the limit. */
  get trimmed(): number {
    return this.#trimmed
  }

  /** Adds hits in arrival order (oldest first); returns true when the visible rows changed. */
  push(hits: Hit[]): boolean {
    this.#pending.push(...hits)
    return this.#paused ? false : this.#flush()
  }

  pause(): void {
    this.#paused = true
  }

  resume(): boolean {
    this.#paused = false
    return this.#flush()
  }

  #flush(): boolean {
    if (this.#pending.length === 0) return false
    const fresh = this.#cache.rows(this.#pending).reverse()
    this.#pending = []
    // A new array each time, so React sees the change.
    let next = fresh.concat(this.#rows)
    if (next.length > this.limit) {
      this.#trimmed += next.length - this.limit
      next = next.slice(0, this.limit)
      // Forget models that left the view, so memory stays bounded by the limit.
      this.#cache = new RowModelCache()
      this.#cache.rows(next.map((r) => r.hit))
    }
    this.#rows = next
    return true
  }
}

// Pod (and namespace) metadata cache. Entries fed by the node-scoped watch stay fresh without
// expiry; entries fetched one by one expire after Kube_Meta_Cache_TTL (0 = never). A deleted pod's
// entry is kept for a retention period, so the last lines of a deleted pod are still enriched
// (seed 000's promise: logs of deleted pods survive — with their metadata). Concurrent lookups of
// the same key share one request.

export interface CacheEntry<T> {
  value: T | undefined
  /** Epoch ms the entry was stored. */
  at: number
  /** Epoch ms the object was deleted (watch DELETED), if it was. */
  deletedAt?: number
  /** True when a watch keeps this entry current. */
  watched: boolean
}

export class MetaCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>()
  private readonly inflight = new Map<string, Promise<T | undefined>>()
  private readonly ttlMs: number
  private readonly retentionMs: number
  private readonly maxEntries: number

  constructor(ttlMs: number, retentionMs: number, maxEntries = 50_000) {
    this.ttlMs = ttlMs
    this.retentionMs = retentionMs
    this.maxEntries = maxEntries
  }

  /** The cached entry if it is still valid at `now`. */
  get(key: string, now: number): CacheEntry<T> | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.deletedAt !== undefined && now - e.deletedAt > this.retentionMs) {
      this.entries.delete(key)
      return undefined
    }
    if (!e.watched && e.deletedAt === undefined && this.ttlMs > 0 && now - e.at > this.ttlMs) {
      this.entries.delete(key)
      return undefined
    }
    return e
  }

  set(key: string, value: T | undefined, now: number, watched = false): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Evict the oldest entry (Map iteration order is insertion order).
      const first = this.entries.keys().next().value
      if (first !== undefined) this.entries.delete(first)
    }
    this.entries.set(key, { value, at: now, watched })
  }

  markDeleted(key: string, now: number): void {
    const e = this.entries.get(key)
    if (e) e.deletedAt = now
  }

  /** Runs `load` once per key at a time; callers of the same key share its promise. */
  load(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    let p = this.inflight.get(key)
    if (!p) {
      p = load().finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p
  }

  get size(): number {
    return this.entries.size
  }
}

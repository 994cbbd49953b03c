// Document ids given by clients (`_id` in a bulk action line): `create` of an existing id is a 409
// version conflict and `index` replaces the earlier document, as in Elasticsearch. Fluent Bit's
// `Generate_ID On` relies on this to make its retries idempotent.
//
// Ids acknowledged but not yet loaded into DuckDB are kept in memory; older ones are looked up in the
// store. Requests that carry ids are serialized so that two concurrent creates of one id cannot both win.

import type { Store } from '../store/store.ts'

export type IdVerdict = 'new' | 'conflict' | 'replace'

export class IdRegistry {
  private readonly store: Store
  private readonly pending = new Map<string, number>()
  private chain: Promise<unknown> = Promise.resolve()

  constructor(store: Store) {
    this.store = store
    store.events.on('applied', (seq: number) => {
      for (const [k, s] of this.pending) if (s <= seq) this.pending.delete(k)
    })
  }

  /** Runs `fn` after every earlier serialized call has finished. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }

  /** Verdict per item, in order; a repeated id inside the list sees the earlier item as existing. */
  async check(items: ReadonlyArray<{ index: string; id: string; create: boolean }>): Promise<IdVerdict[]> {
    const keys = items.map((it) => `${it.index}\u0000${it.id}`)
    // Snapshot what is pending now: while the store is queried below, a segment may finish loading
    // and drop its ids from `pending` — they must then count as existing (regression: duplicates
    // under load, scripts/chaos/files.chaos.ts copytruncate).
    const pendingNow = new Set(keys.filter((k) => this.pending.has(k)))
    const unknown = [...new Set(keys.filter((k) => !pendingNow.has(k)))]
    const stored = new Set<string>()
    for (let i = 0; i < unknown.length; i += 500) {
      const chunk = unknown.slice(i, i + 500)
      const params: string[] = []
      const conds = chunk.map((k) => {
        const [index, id] = k.split('\u0000') as [string, string]
        params.push(index, id)
        return '(idx = ? AND id = ?)'
      })
      const rows = await this.store.query(
        `SELECT DISTINCT idx, id FROM ${this.store.source(0, Number.MAX_SAFE_INTEGER)} WHERE id IS NOT NULL AND (${conds.join(' OR ')})`,
        params,
      )
      for (const r of rows) stored.add(`${r.idx}\u0000${r.id}`)
    }
    const seen = new Set<string>()
    return items.map((it, i) => {
      const k = keys[i]!
      const exists = seen.has(k) || pendingNow.has(k) || this.pending.has(k) || stored.has(k)
      seen.add(k)
      if (!exists) return 'new'
      return it.create ? 'conflict' : 'replace'
    })
  }

  remember(items: ReadonlyArray<{ index: string; id: string; seq: number }>): void {
    // Rows already loaded (their segment finished before this call) are found in the store; keeping
    // them here would never be cleaned up.
    const loaded = this.store.appliedSeq
    for (const it of items) if (it.seq > loaded) this.pending.set(`${it.index}\u0000${it.id}`, it.seq)
  }

  /** Ids acknowledged and not yet loaded (for tests and metrics). */
  pendingCount(): number {
    return this.pending.size
  }

  /** Deletes stored documents that an `index` action replaces. */
  async remove(items: ReadonlyArray<{ index: string; id: string }>): Promise<void> {
    await this.store.refresh()
    await this.store.deleteDocs(items)
  }
}

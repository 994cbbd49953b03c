// Retention deletes whole day partitions: those older than the maximum age, then the oldest ones
// while the store is larger than the size limit. The newest partition is never deleted by size (it
// is being written to), so a limit smaller than one day of logs keeps exactly one day.

import type { Store } from './store.ts'

export interface RetentionPolicy {
  /** Keep partitions whose day ended less than this many seconds ago. */
  readonly maxAgeSeconds?: number
  /** Keep the store under this many bytes (partitions plus write-ahead log). */
  readonly maxBytes?: number
}

export interface Dropped {
  readonly day: string
  readonly rows: number
  readonly bytes: number
  readonly reason: 'age' | 'size'
}

export async function applyRetention(store: Store, policy: RetentionPolicy, nowMs = Date.now()): Promise<Dropped[]> {
  const dropped: Dropped[] = []
  if (policy.maxAgeSeconds !== undefined) {
    for (const p of store.listPartitions()) {
      const dayEnd = Date.parse(`${p.day}T00:00:00Z`) + 86_400_000
      if (nowMs - dayEnd < policy.maxAgeSeconds * 1000) continue
      const bytes = store.partitionBytes(p)
      await store.dropPartition(p.day)
      dropped.push({ day: p.day, rows: p.rows, bytes, reason: 'age' })
    }
  }
  if (policy.maxBytes !== undefined) {
    let total = store.bytesOnDisk()
    const parts = store.listPartitions()
    for (let i = 0; i < parts.length - 1 && total > policy.maxBytes; i++) {
      const p = parts[i]!
      const bytes = store.partitionBytes(p)
      await store.dropPartition(p.day)
      total -= bytes
      dropped.push({ day: p.day, rows: p.rows, bytes, reason: 'size' })
    }
  }
  return dropped
}

// What one bulk item's status means for its record (Elasticsearch reference, "Bulk API" and
// "Common API conventions"; retry rules after vector/src/sinks/elasticsearch/retry.rs).

import type { ItemResult } from './bulk-response.ts'

export type ItemOutcome =
  /** Stored (2xx), or already stored: 409 on `create` of a record with an id we chose. */
  | { readonly kind: 'delivered'; readonly duplicate: boolean }
  /** Worth sending again, alone: 429, 5xx, or a version conflict on index/update. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The document itself is refused (mapping, parsing, bad argument): retrying cannot help. */
  | { readonly kind: 'dead-letter'; readonly reason: string }

export function describeItemError(r: ItemResult): string {
  if (!r.error) return `status ${r.status}`
  return `${r.status} ${r.error.type}: ${r.error.reason}${r.error.causedBy ? ` (caused by ${r.error.causedBy})` : ''}`
}

/** `sentId`: the id the request carried, when Sluice chose it (Id_Key or Generate_ID). */
export function classifyItem(r: ItemResult, sentId: string | undefined): ItemOutcome {
  const s = r.status
  if (s >= 200 && s < 300) return { kind: 'delivered', duplicate: false }
  if (s === 409) {
    // `create` with our own id answering version_conflict_engine_exception: a previous attempt (whose
    // response we lost) already stored this very document.
    if (r.action === 'create' && sentId !== undefined) return { kind: 'delivered', duplicate: true }
    return { kind: 'retry', reason: describeItemError(r) }
  }
  if (s === 429 || s >= 500) return { kind: 'retry', reason: describeItemError(r) }
  if (s === 408) return { kind: 'retry', reason: describeItemError(r) }
  return { kind: 'dead-letter', reason: describeItemError(r) }
}

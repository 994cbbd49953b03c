// Sends dead-lettered records again (after the cause is fixed: a mapping, credentials, a pipeline),
// through the same bulk sender and per-item rules as the `es` output. Entries the server now accepts
// leave the file; entries still refused stay, with the new reason.

import type { ItemResult } from '../outputs/es/bulk-response.ts'
import { parseBulkResponse } from '../outputs/es/bulk-response.ts'
import { classifyItem } from '../outputs/es/classify.ts'
import { jsonReplacer } from '../outputs/es/format.ts'
import type { Sender } from '../outputs/es/sender.ts'
import type { DeadLetterEntry } from './entry.ts'
import { listFiles, readFileEntries, rewriteFile } from './store.ts'

export interface ReplayOptions {
  readonly sender: Sender
  /** Bulk path, e.g. `/_bulk` or `/prefix/_bulk`. */
  readonly bulkPath: string
  readonly batchSize?: number
  /** Send to this index instead of the recorded one. */
  readonly index?: string
  /** Send `_type` (Elasticsearch < 7 only). */
  readonly type?: string
  readonly dryRun?: boolean
}

export interface ReplayReport {
  readonly files: number
  readonly entries: number
  readonly delivered: number
  /** Still refused for a document reason: kept in the file with the new reason. */
  readonly refused: number
  /** Not settled (429, 5xx, connection): kept as they were, try again later. */
  readonly pending: number
  readonly errors: string[]
}

/** The bulk lines that re-send one entry: its recorded action, index and id, and the document as sent. */
export function replayPayload(e: DeadLetterEntry, o: Pick<ReplayOptions, 'index' | 'type'>): string {
  const action = e.action === 'index' || e.action === 'update' ? e.action : 'create'
  const meta: Record<string, string> = { _index: o.index ?? e.index ?? 'fluent-bit' }
  if (o.type) meta._type = o.type
  if (e.id !== undefined) meta._id = e.id
  const doc = JSON.stringify(e.doc ?? e.record.body, jsonReplacer)
  // an update is replayed as an upsert: the document may be missing by now
  const source = action === 'update' ? `{"doc_as_upsert":true,"doc":${doc}}` : doc
  return `${JSON.stringify({ [action]: meta })}\n${source}\n`
}

export async function replayDir(dir: string, o: ReplayOptions): Promise<ReplayReport> {
  const files = await listFiles(dir)
  const batchSize = o.batchSize ?? 500
  let entries = 0
  let delivered = 0
  let refused = 0
  let pending = 0
  const errors: string[] = []
  for (const file of files) {
    const { entries: list } = await readFileEntries(file)
    entries += list.length
    if (o.dryRun) continue
    const keep: DeadLetterEntry[] = []
    for (let i = 0; i < list.length; i += batchSize) {
      const batch = list.slice(i, i + batchSize)
      const res = await o.sender.send('POST', o.bulkPath, batch.map((e) => replayPayload(e, o)).join(''))
      if (res.kind === 'network' || res.status !== 200) {
        const why = res.kind === 'network' ? res.error : `HTTP ${res.status} ${res.body.slice(0, 200)}`
        errors.push(`${file}: ${why}`)
        keep.push(...batch)
        pending += batch.length
        continue
      }
      const parsed = parseBulkResponse(res.body)
      batch.forEach((e, j) => {
        const r: ItemResult | undefined = parsed.items[j]
        if (!r) {
          keep.push(e)
          pending++
          return
        }
        const out = classifyItem(r, e.id)
        if (out.kind === 'delivered') delivered++
        else if (out.kind === 'retry') {
          keep.push(e)
          pending++
        } else {
          keep.push({
            ...e,
            reason: out.reason,
            status: r.status,
            error_type: r.error?.type,
            at: new Date().toISOString(),
          })
          refused++
        }
      })
    }
    await rewriteFile(file, keep)
  }
  return { files: files.length, entries, delivered, refused, pending, errors }
}

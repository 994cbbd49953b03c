// Human summaries of dead-letter directories, for `sluice dlq ls|show`.

import type { DeadLetterEntry } from './entry.ts'
import { describeFiles, listFiles, readFileEntries } from './store.ts'

/** Counts by reason (the status and error type, without the per-document detail), most frequent first. */
export function reasonCounts(entries: readonly DeadLetterEntry[]): [string, number][] {
  const m = new Map<string, number>()
  for (const e of entries) {
    const key = e.error_type ? `${e.status ?? ''} ${e.error_type}`.trim() : e.reason.slice(0, 80)
    m.set(key, (m.get(key) ?? 0) + 1)
  }
  return [...m].sort((a, b) => b[1] - a[1])
}

export async function listing(dir: string): Promise<string> {
  const files = await describeFiles(dir)
  if (files.length === 0) return `${dir}: no dead-lettered records`
  const lines = ['FILE\tRECORDS\tBYTES']
  let all: DeadLetterEntry[] = []
  for (const f of files) {
    lines.push(`${f.path}\t${f.entries}${f.unreadable ? ` (+${f.unreadable} unreadable lines)` : ''}\t${f.bytes}`)
    all = all.concat((await readFileEntries(f.path)).entries)
  }
  lines.push('', `${all.length} records; by reason:`)
  for (const [r, n] of reasonCounts(all)) lines.push(`  ${String(n).padStart(7)}  ${r}`)
  return lines.join('\n')
}

export async function* entriesOf(dir: string): AsyncGenerator<DeadLetterEntry> {
  for (const f of await listFiles(dir)) for (const e of (await readFileEntries(f)).entries) yield e
}

export function showEntry(e: DeadLetterEntry, width = 300): string {
  const rec = JSON.stringify(e.record.body)
  return [
    `${e.at}  ${e.output}  tag=${e.tag}  index=${e.index ?? '-'}${e.id ? `  id=${e.id}` : ''}`,
    `  reason: ${e.reason}`,
    `  record: ${rec.length > width ? `${rec.slice(0, width)}…` : rec}`,
  ].join('\n')
}

// Reading a dead-letter directory: its files, their entries, and rewriting a file with only the
// entries that are still refused after a replay.

import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { jsonReplacer } from '../outputs/es/format.ts'
import { type DeadLetterEntry, parseEntry } from './entry.ts'
import { DLQ_FILE } from './writer.ts'

export interface DeadLetterFile {
  readonly path: string
  readonly bytes: number
  readonly entries: number
  /** Lines that are not entries (a torn line after a crash). */
  readonly unreadable: number
}

export async function listFiles(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    throw new Error(`cannot read dead-letter directory ${dir}: ${(err as Error).message}`)
  }
  return names
    .filter((n) => DLQ_FILE.test(n))
    .sort()
    .map((n) => join(dir, n))
}

export async function readFileEntries(path: string): Promise<{ entries: DeadLetterEntry[]; unreadable: number }> {
  const text = await readFile(path, 'utf8')
  const entries: DeadLetterEntry[] = []
  let unreadable = 0
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const e = parseEntry(line)
    if (e) entries.push(e)
    else unreadable++
  }
  return { entries, unreadable }
}

export async function describeFiles(dir: string): Promise<DeadLetterFile[]> {
  const out: DeadLetterFile[] = []
  for (const path of await listFiles(dir)) {
    const { entries, unreadable } = await readFileEntries(path)
    out.push({ path, bytes: (await stat(path)).size, entries: entries.length, unreadable })
  }
  return out
}

/** Replaces a file's content with `keep` (deletes it when empty), atomically through a rename. */
export async function rewriteFile(path: string, keep: readonly DeadLetterEntry[]): Promise<void> {
  if (keep.length === 0) {
    await unlink(path)
    return
  }
  const tmp = `${path}.tmp`
  await writeFile(tmp, keep.map((e) => JSON.stringify(e, jsonReplacer)).join('\n') + '\n')
  await rename(tmp, path)
}

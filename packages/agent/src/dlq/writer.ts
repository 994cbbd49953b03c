// Appends dead-lettered records to JSON-lines files in one directory, under a size cap. Past the cap a
// record is not written: it is counted (sluice_dlq_dropped_records_total) and logged with its reason,
// so even then nothing disappears without a trace.

import { appendFile, mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '@sluice/core/log.ts'
import type { MetricsRegistry } from '../metrics.ts'
import type { DeadLetterEntry } from './entry.ts'
import { jsonReplacer } from '../outputs/es/format.ts'

export interface DeadLetterWriterOptions {
  readonly dir: string
  readonly maxBytes: number
  /** Size at which a new file is started. */
  readonly segmentBytes?: number
  readonly output: string
  readonly log: Logger
  readonly metrics: MetricsRegistry
}

export interface DeadLetterWriter {
  readonly dir: string
  write(entries: readonly DeadLetterEntry[]): Promise<{ written: number; dropped: number }>
}

export const DLQ_FILE = /^dlq-.*\.jsonl$/

export async function dirBytes(dir: string): Promise<number> {
  let total = 0
  let names: string[] = []
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  for (const n of names) if (DLQ_FILE.test(n)) total += (await stat(join(dir, n)).catch(() => ({ size: 0 }))).size
  return total
}

export function createDeadLetterWriter(o: DeadLetterWriterOptions): DeadLetterWriter {
  const written = o.metrics.counter('sluice_dlq_records_total', 'Records written to the dead-letter queue.')
  const dropped = o.metrics.counter(
    'sluice_dlq_dropped_records_total',
    'Dead-lettered records not written because the dead-letter directory reached dlq.max_size.',
  )
  const segmentBytes = o.segmentBytes ?? 16 * 1024 * 1024
  let used: number | undefined
  let file: string | undefined
  let fileBytes = 0
  let fileSeq = 0
  let chain: Promise<unknown> = Promise.resolve()

  const newFile = () => {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')
    file = join(o.dir, `dlq-${stamp}-${process.pid}-${fileSeq++}.jsonl`)
    fileBytes = 0
  }

  async function doWrite(entries: readonly DeadLetterEntry[]) {
    if (used === undefined) {
      await mkdir(o.dir, { recursive: true })
      used = await dirBytes(o.dir)
    }
    let text = ''
    let n = 0
    let lost = 0
    for (const e of entries) {
      const line = `${serializeEntry(e)}\n`
      const bytes = Buffer.byteLength(line)
      if (used + bytes > o.maxBytes) {
        lost++
        o.log.error(
          `dead-letter queue ${o.dir} is full (dlq.max_size ${o.maxBytes} bytes): record not kept, tag=${e.tag} index=${e.index ?? '-'} reason: ${e.reason}`,
        )
        continue
      }
      used += bytes
      text += line
      n++
    }
    if (text) {
      if (!file || fileBytes >= segmentBytes) newFile()
      await appendFile(file!, text)
      fileBytes += Buffer.byteLength(text)
    }
    if (n) written.inc({ name: o.output }, n)
    if (lost) dropped.inc({ name: o.output }, lost)
    return { written: n, dropped: lost }
  }

  return {
    dir: o.dir,
    write(entries) {
      // one write at a time: the size accounting and the current file are shared by concurrent flushes
      const p = chain.then(() => doWrite(entries))
      chain = p.catch(() => undefined)
      return p
    },
  }
}

/**
 * One dead-letter line. A record too deep for the replacer's recursion (10,000 nested levels) is
 * written without it, and a record no serializer can write keeps its metadata with the reason, so one
 * record never fails the write of the others.
 */
export function serializeEntry(e: DeadLetterEntry): string {
  try {
    return JSON.stringify(e, jsonReplacer)
  } catch {
    try {
      return JSON.stringify(e)
    } catch (err) {
      const { record, ...rest } = e as DeadLetterEntry & { record?: { sec?: number; nsec?: number } }
      return JSON.stringify({
        ...rest,
        record: { sec: record?.sec, nsec: record?.nsec },
        record_unserializable: `the record could not be written as JSON: ${(err as Error).message}`,
      })
    }
  }
}

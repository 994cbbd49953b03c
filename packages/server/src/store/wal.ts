// Write-ahead log: the store's durability. Ingest appends rows (one row per line, row.ts walRow) to the
// current segment and the caller is acknowledged only after fdatasync — so a server killed with
// SIGKILL loses nothing it acknowledged. Appends that arrive while a sync runs are written together by
// the next one (group commit), which keeps the fsync rate bounded under load.
//
// A segment is sealed when it is large or old enough; sealed segments are loaded into DuckDB by the
// applier and deleted afterwards. Segments found at start are replayed, in any format: `.csv2` (this
// version), `.csv` (before rows referenced a shared part: no `kid`, `kr` columns) or `.ndjson` (written
// by versions before the CSV WAL), so an upgrade keeps every acknowledged row.

import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { type FileHandle, open, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * How a segment's rows are encoded: `csv2` (row.ts walRow), `csv` (legacy: walRow's columns without
 * `kid` and `kr`) or `ndjson` (legacy, row.ts walLine).
 */
export type SegmentFormat = 'csv2' | 'csv' | 'ndjson'

export interface SealedSegment {
  readonly no: number
  readonly path: string
  readonly format: SegmentFormat
  readonly rows: number
  readonly bytes: number
  /** Rows per `day\tindex` (day as `YYYY-MM-DD`, UTC), when known (live segments); undefined for replayed ones. */
  readonly counts?: ReadonlyMap<string, number>
  /** Highest sequence number in the segment, when known (live segments). */
  readonly maxSeq?: number
  /** Rows are already in (ts, seq) order (live segments only): the load can skip its sort. */
  readonly sorted?: boolean
  /** The shared parts its rows reference, id → text (live segments; row.ts WalWriter.shared). */
  readonly shared?: ReadonlyMap<string, string>
}

/** Time order of an appended batch: its first and last row's ts, and whether ts never decreases in it. */
export interface BatchOrder {
  readonly firstTs: number
  readonly lastTs: number
  readonly sorted: boolean
}

export interface WalOptions {
  /** Seal the current segment once it holds this many bytes. */
  readonly segmentMaxBytes: number
  /** Seal a non-empty segment this long after its first row. */
  readonly segmentMaxAgeMs: number
  readonly onSealed: (s: SealedSegment) => void
  /**
   * The highest segment number ever loaded into the store. Segment numbers must never be reused: the
   * store remembers loaded numbers to make replay idempotent, so a reused number would be skipped.
   */
  readonly minSegmentNo?: number
}

interface Pending {
  buf: Buffer
  rows: number
  counts: ReadonlyMap<string, number>
  maxSeq: number
  order: BatchOrder
  shared: ReadonlyMap<string, string>
  resolve: () => void
  reject: (e: Error) => void
}

const NAME = /^(\d{12})\.(csv2|csv|ndjson)$/

export function segmentPath(dir: string, no: number, format: SegmentFormat = 'csv2'): string {
  return join(dir, `${String(no).padStart(12, '0')}.${format}`)
}

export class Wal {
  readonly dir: string
  private readonly opts: WalOptions
  private no = 0
  private fh: FileHandle | null = null
  private bytes = 0
  private rows = 0
  private counts = new Map<string, number>()
  private shared = new Map<string, string>()
  private maxSeq = -1
  private sorted = true
  private lastTs = Number.NEGATIVE_INFINITY
  private openedAt = 0
  private queue: Pending[] = []
  private flushing: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private closed = false
  /** Total bytes synced, for metrics. */
  syncedBytes = 0
  syncs = 0

  constructor(dir: string, opts: WalOptions) {
    this.dir = dir
    this.opts = opts
  }

  /**
   * Opens the log. Returns the segments left by an earlier run (oldest first), with any torn tail
   * (bytes after the last newline: written but never synced, so never acknowledged) cut off.
   */
  async open(): Promise<SealedSegment[]> {
    mkdirSync(this.dir, { recursive: true })
    this.no = Math.max(this.no, this.opts.minSegmentNo ?? 0)
    const found: SealedSegment[] = []
    const names = readdirSync(this.dir).filter((n) => NAME.test(n))
    names.sort((a, b) => Number(NAME.exec(a)![1]) - Number(NAME.exec(b)![1]))
    for (const name of names) {
      const m = NAME.exec(name)!
      const no = Number(m[1])
      const path = join(this.dir, name)
      let size = statSync(path).size
      if (size > 0) {
        const fh = await open(path, 'r')
        try {
          const keep = await lastNewlineEnd(fh, size)
          if (keep < size) {
            await fh.close()
            await truncate(path, keep)
            size = keep
          }
        } finally {
          await fh.close().catch(() => {})
        }
      }
      this.no = Math.max(this.no, no)
      found.push({ no, path, format: m[2] as SegmentFormat, rows: -1, bytes: size })
    }
    this.timer = setInterval(() => this.maybeSealByAge(), Math.max(50, Math.floor(this.opts.segmentMaxAgeMs / 4)))
    this.timer.unref()
    return found
  }

  /**
   * Appends rows (walRow lines, in sequence order; the highest sequence number `maxSeq`); resolves
   * once they are on disk (fdatasync).
   */
  append(
    buf: Buffer,
    rows: number,
    counts: ReadonlyMap<string, number>,
    maxSeq: number,
    order: BatchOrder,
    shared: ReadonlyMap<string, string> = new Map(),
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('cannot append: the write-ahead log is closed'))
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, rows, counts, maxSeq, order, shared, resolve, reject })
      if (!this.flushing) this.flushing = this.flushLoop()
    })
  }

  /** Seals the current segment now (if it holds rows); resolves after it was handed to onSealed. */
  async seal(): Promise<void> {
    while (this.flushing) await this.flushing
    await this.sealCurrent()
  }

  pendingBytes(): number {
    return this.bytes
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    while (this.flushing) await this.flushing
    await this.sealCurrent()
  }

  private maybeSealByAge(): void {
    if (this.flushing || this.rows === 0) return
    if (Date.now() - this.openedAt < this.opts.segmentMaxAgeMs) return
    this.flushing = this.sealCurrent().finally(() => {
      this.flushing = null
      if (this.queue.length > 0) this.flushing = this.flushLoop()
    })
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        try {
          if (!this.fh) {
            this.no++
            this.fh = await open(segmentPath(this.dir, this.no), 'a')
            this.openedAt = Date.now()
            // The new file's directory entry must survive a power loss too, not only its bytes.
            const d = await open(this.dir, 'r')
            await d.sync().finally(() => d.close())
          }
          // the batch's buffers in one system call, without copying them into one first
          let size = 0
          for (const p of batch) size += p.buf.length
          let done = batch.length === 1 ? 0 : (await this.fh.writev(batch.map((p) => p.buf))).bytesWritten
          if (done < size) {
            // a short write (rare): the rest from where it stopped
            const buf = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf))
            while (done < size) done += (await this.fh.write(buf, done)).bytesWritten
          }
          await this.fh.datasync()
          this.syncs++
          this.syncedBytes += size
          this.bytes += size
          for (const p of batch) {
            this.rows += p.rows
            if (p.maxSeq > this.maxSeq) this.maxSeq = p.maxSeq
            if (!p.order.sorted || p.order.firstTs < this.lastTs) this.sorted = false
            this.lastTs = p.order.lastTs
            for (const [k, n] of p.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + n)
            for (const [k, t] of p.shared) this.shared.set(k, t)
          }
          for (const p of batch) p.resolve()
        } catch (e) {
          // part of the batch may be in the file: the segment's order is no longer known, and the
          // shared parts its rows reference must be loaded with them
          this.sorted = false
          for (const p of batch) for (const [k, t] of p.shared) this.shared.set(k, t)
          const err = new Error(`cannot write the write-ahead log in ${this.dir}: ${(e as Error).message}`)
          for (const p of batch) p.reject(err)
        }
        if (this.bytes >= this.opts.segmentMaxBytes || Date.now() - this.openedAt >= this.opts.segmentMaxAgeMs) {
          await this.sealCurrent()
        }
      }
    } finally {
      this.flushing = null
    }
  }

  private async sealCurrent(): Promise<void> {
    if (!this.fh) return
    const fh = this.fh
    this.fh = null
    await fh.close()
    const seg: SealedSegment = {
      no: this.no,
      path: segmentPath(this.dir, this.no),
      format: 'csv2',
      rows: this.rows,
      bytes: this.bytes,
      counts: this.counts,
      maxSeq: this.maxSeq,
      sorted: this.sorted,
      shared: this.shared,
    }
    this.shared = new Map()
    this.maxSeq = -1
    this.sorted = true
    this.lastTs = Number.NEGATIVE_INFINITY
    this.rows = 0
    this.bytes = 0
    this.counts = new Map()
    if (seg.rows === 0) {
      await unlink(seg.path).catch(() => {})
      return
    }
    this.opts.onSealed(seg)
  }
}

/** Offset just past the last '\n' of the file (0 when there is none). */
async function lastNewlineEnd(fh: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024)
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - chunk.length)
    const { bytesRead } = await fh.read(chunk, 0, end - start, start)
    const i = chunk.subarray(0, bytesRead).lastIndexOf(10)
    if (i >= 0) return start + i + 1
    end = start
  }
  return 0
}

// The reading loop of one tail instance. One async loop does everything in turn (rescans, checks for
// rotation/truncation, multiline timeouts, reading), so no two steps ever touch a file at once:
//
//   scan    every Refresh_Interval (and when a watched directory changes): expand Path, open new files
//   check   every second or Watcher_Interval: rotated (path names another file), deleted, truncated
//   read    each open file until its end (at most Static_Batch_Size per pass), one batch per chunk
//   sleep   until a file system event, a timer, or resume
//
// Offsets are committed to the DB only when the batch ending there, and all before it, are delivered.

import { type FSWatcher, watch } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { LogEvent } from '@sluice/core/record.ts'
import type { MultilineJoiner } from '../../multiline/types.ts'
import type { InputContext } from '../../plugin.ts'
import { FINGERPRINT_BYTES, fingerprint } from './fingerprint.ts'
import { compileExclude, expandPattern, patternDirectory } from './glob.ts'
import type { OffsetDb } from './offset-db.ts'
import { type LineConfig, splitChunk } from './split-lines.ts'
import { TailFile } from './tail-file.ts'
import type { TailMetrics } from './tail-metrics.ts'
import type { TagComposer } from './tag.ts'

/** Read chunk size: 1 MiB amortises syscalls and batches (64 KiB chunks measured 4× slower). */
export const MIN_CHUNK = 1024 * 1024
/** Least time between two long-line warnings about one file. */
const LONG_LINE_WARN_MS = 10_000
/** How often the multiline joiners are asked for records that waited past their flush timeout. */
const MULTILINE_TICK_MS = 250

export interface TailerConfig {
  readonly patterns: readonly string[]
  readonly exclude: readonly string[]
  readonly line: LineConfig
  readonly tag: TagComposer
  readonly readFromHead: boolean
  readonly newFilesFromHead: boolean
  readonly refreshMs: number
  readonly checkMs: number
  readonly rotateWaitMs: number
  readonly ignoreOlderMs: number
  readonly ignoreActiveOlder: boolean
  readonly chunkBytes: number
  readonly batchBytes: number
  readonly inotify: boolean
  readonly exitOnEof: boolean
  /** Makes each file's multiline joiner (`multiline.parser`, or the old `Multiline On` mechanism). */
  readonly multiline: (() => MultilineJoiner) | undefined
  readonly compareFilename: boolean
  /** DB.locking: the database is opened in exclusive locking mode. */
  readonly dbLocking: boolean
  /** Unicode.Encoding: UTF-16 files (a byte order, or `auto` to detect per file). */
  readonly unicode: 'UTF-16LE' | 'UTF-16BE' | 'auto' | undefined
}

export class Tailer {
  readonly cfg: TailerConfig
  readonly ctx: InputContext
  readonly db: OffsetDb | undefined
  readonly metrics: TailMetrics
  /** Open files by real identity (`dev:ino`). */
  readonly files = new Map<string, TailFile>()
  /** Passes of the reading loop so far (lets tests wait for the loop to go round). */
  iterations = 0
  /** Called once when Exit_On_Eof is on and a file was read to its end. Replaceable for tests. */
  onExit: () => void = () => process.kill(process.pid, 'SIGTERM')

  private readonly byPath = new Map<string, TailFile>()
  /** Files abandoned for a long line: identity → fingerprint hash, until the identity changes. */
  private readonly abandoned = new Map<string, string>()
  private readonly reported = new Set<string>()
  private readonly isExcluded: (path: string) => boolean
  private readonly dirWatchers = new Map<string, FSWatcher>()
  private readonly labels: { name: string }
  private buf: Buffer
  private stopped = false
  private firstScan = true
  private scanRequested = false
  private woken = false
  private wakeUp: (() => void) | undefined
  private loop: Promise<void> | undefined
  private exitRequested = false
  private outstanding = 0
  private resumeHooked = false
  /** Files a file system event says were renamed or deleted: checked on the next pass. */
  private readonly checkSoon = new Set<TailFile>()

  constructor(cfg: TailerConfig, ctx: InputContext, db: OffsetDb | undefined, metrics: TailMetrics) {
    this.cfg = cfg
    this.ctx = ctx
    this.db = db
    this.metrics = metrics
    this.labels = { name: ctx.id }
    this.isExcluded = compileExclude(cfg.exclude)
    this.buf = Buffer.allocUnsafe(Math.max(MIN_CHUNK, cfg.chunkBytes))
    if (db) {
      db.onError = (msg) => {
        this.metrics.errors.inc({ ...this.labels, reason: 'db' })
        this.ctx.log.error(msg)
      }
    }
  }

  start(): void {
    this.loop = this.run().catch((err: Error) => {
      this.ctx.log.error(`tail loop failed: ${err.stack ?? err.message}`)
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake()
    await this.loop
    for (const w of this.dirWatchers.values()) w.close()
    this.dirWatchers.clear()
    for (const f of [...this.files.values()]) {
      try {
        await this.closeFile(f, 'stop')
      } catch (err) {
        this.ctx.log.error(`cannot close ${f.path} cleanly: ${(err as Error).message}`)
      }
    }
    this.maybeCloseDb()
    if (this.cfg.dbLocking) {
      // An exclusive lock would keep a new instance (reload) from opening the database: close now;
      // batches still in flight are then read again at the next start (at-least-once).
      this.db?.close()
    } else if (this.db && this.outstanding > 0) {
      // Acknowledgements may still arrive while the engine drains (within Grace); after that the
      // database is closed anyway (what was not acknowledged is read again at the next start).
      setTimeout(() => this.db?.close(), (this.ctx.service.grace + 5) * 1000).unref()
    }
  }

  /** Wakes the loop (file system event, resume, stop). */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeUp = undefined
        resolve()
      }
      const timer = setTimeout(done, Math.max(1, ms))
      this.wakeUp = done
    })
  }

  private async passes(): Promise<void> {
    let nextScan = 0
    let nextCheck = 0
    let nextMultiline = 0
    while (!this.stopped) {
      this.iterations++
      this.woken = false
      const now = Date.now()
      if (now >= nextScan || this.scanRequested) {
        this.scanRequested = false
        const deep = now >= nextScan
        await this.scan(deep)
        if (deep) nextScan = Date.now() + this.cfg.refreshMs
      }
      if (Date.now() >= nextCheck) {
        this.checkSoon.clear()
        await this.checkAll(false)
        nextCheck = Date.now() + this.cfg.checkMs
      } else if (this.checkSoon.size > 0) {
        const files = [...this.checkSoon]
        this.checkSoon.clear()
        for (const f of files) if (!f.closed) await this.checkOne(f, Date.now(), false)
      }
      if (this.cfg.multiline && Date.now() >= nextMultiline) {
        this.flushExpired()
        nextMultiline = Date.now() + MULTILINE_TICK_MS
      }
      const wakeAt = Math.min(nextScan, nextCheck, this.cfg.multiline ? nextMultiline : Number.POSITIVE_INFINITY)
      if (this.ctx.paused) {
        // Backpressure: read nothing until resumed; keep checking rotations meanwhile.
        if (!this.resumeHooked) {
          this.resumeHooked = true
          void this.ctx.whenResumed().then(() => {
            this.resumeHooked = false
            this.wake()
          })
        }
        await this.sleep(wakeAt - Date.now())
        continue
      }
      let progressed = false
      for (const f of [...this.files.values()]) {
        if (this.stopped || this.ctx.paused) break
        if (!f.closed && !f.idle && (await this.pump(f))) progressed = true
      }
      if (!progressed) await this.sleep(wakeAt - Date.now())
    }
  }

  /** The loop, kept alive through unexpected errors (each logged and counted, then a pause). */
  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.passes()
      } catch (err) {
        this.metrics.errors.inc({ ...this.labels, reason: 'loop' })
        this.ctx.log.error(`tail loop error (continuing): ${(err as Error).stack ?? err}`)
        await this.sleep(this.cfg.checkMs)
      }
    }
  }

  // ---- scanning and opening ------------------------------------------------------------------

  private async scan(deep: boolean): Promise<void> {
    for (const pattern of this.cfg.patterns) {
      if (this.cfg.inotify) this.watchDirectory(pattern)
      let paths: string[]
      try {
        paths = await expandPattern(pattern)
      } catch (err) {
        this.reportOnce(`scan:${pattern}`, `cannot scan path '${pattern}': ${(err as Error).message}`)
        continue
      }
      for (const p of paths) {
        if (this.stopped) return
        if (this.isExcluded(p) || this.byPath.has(p)) continue
        let st: Stats
        try {
          st = await stat(p)
        } catch {
          continue // vanished between listing and stat, or a dangling symlink
        }
        if (!st.isFile()) continue
        await this.consider(p, st, this.firstScan ? this.cfg.readFromHead : this.cfg.newFilesFromHead)
      }
    }
    this.firstScan = false
    if (deep) await this.checkAll(true)
  }

  /** Opens `path` unless it is already open under another name, too old, or abandoned. */
  private async consider(path: string, st: Stats, fromHead: boolean): Promise<void> {
    const key = `${st.dev}:${st.ino}`
    if (this.files.has(key)) return
    if (this.cfg.ignoreOlderMs > 0 && st.mtimeMs < Date.now() - this.cfg.ignoreOlderMs) return
    const gaveUp = this.abandoned.get(key)
    if (gaveUp !== undefined) {
      const fh = await open(path, 'r').catch(() => undefined)
      if (!fh) return
      const fp = await fingerprint(fh, st.size).finally(() => fh.close())
      if (fp.hash === gaveUp) return
      this.abandoned.delete(key)
    }
    await this.openFile(path, fromHead)
  }

  private async openFile(path: string, fromHead: boolean): Promise<void> {
    const tag = this.cfg.tag(path)
    if (typeof tag !== 'string') {
      this.metrics.errors.inc({ ...this.labels, reason: 'tag' })
      this.reportOnce(`tag:${path}`, `cannot tag file ${path}: ${tag.error}; the file is not read`)
      return
    }
    let fh: FileHandle
    try {
      fh = await open(path, 'r')
    } catch (err) {
      this.metrics.errors.inc({ ...this.labels, reason: 'open' })
      this.reportOnce(`open:${path}`, `cannot open ${path}: ${(err as Error).message}`)
      return
    }
    // Identity of what was actually opened (the path may have changed since it was listed).
    const st = await fh.stat()
    const key = `${st.dev}:${st.ino}`
    if (this.files.has(key) || !st.isFile()) {
      await fh.close()
      return
    }
    const fp = await fingerprint(fh, st.size)
    let offset = fromHead ? 0 : st.size
    let dbId: number | undefined
    if (this.db) {
      const found = await this.lookup(path, st, fh)
      if (found) {
        dbId = found.id
        offset = found.offset
        if (offset > st.size) {
          this.ctx.log.info(
            `file ${path} is shorter (${st.size} bytes) than its saved offset ${offset}: it was truncated, reading from the start`,
          )
          offset = 0
          this.db.commit(dbId, 0)
        }
        this.db.fingerprint(dbId, fp.len, fp.hash)
        if (found.name !== path) this.db.rename(dbId, path, false)
      } else {
        dbId = this.db.add(path, offset, st.ino, fp.len, fp.hash)
      }
    }
    const f = new TailFile({
      path,
      dev: st.dev,
      ino: st.ino,
      fh,
      tag,
      offset,
      fp,
      dbId,
      onCommit: (file, off) => {
        if (file.dbId !== undefined) this.db?.commit(file.dbId, off)
      },
    })
    f.size = st.size
    f.mtimeMs = st.mtimeMs
    f.utf16 = await this.utf16Of(fh)
    if (this.cfg.multiline) f.joiner = this.cfg.multiline()
    if (this.cfg.inotify) {
      try {
        f.watcher = watch(path, { persistent: false }, (event) => {
          f.idle = false
          // Renamed or deleted: check it now rather than at the next periodic check.
          if (event === 'rename') this.checkSoon.add(f)
          this.wake()
        })
        f.watcher.on('error', () => {
          f.watcher?.close()
          f.watcher = undefined
        })
      } catch {
        // Polling every check interval still notices new data.
      }
    }
    this.files.set(key, f)
    this.byPath.set(path, f)
    this.metrics.opened.inc(this.labels)
    this.metrics.open.set(this.labels, this.files.size)
    this.ctx.log.debug(`inode=${st.ino} with offset=${offset} appended as ${path}`)
  }

  /**
   * Unicode.Encoding: the byte order of a UTF-16 file. `auto` looks at the byte order mark, or else
   * at where the zero bytes of ASCII text fall (odd offsets: little endian; even: big endian).
   */
  private async utf16Of(fh: FileHandle): Promise<'le' | 'be' | undefined> {
    const u = this.cfg.unicode
    if (u === undefined) return undefined
    if (u === 'UTF-16LE') return 'le'
    if (u === 'UTF-16BE') return 'be'
    const head = Buffer.alloc(64)
    const { bytesRead } = await fh.read(head, 0, 64, 0)
    if (bytesRead >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'le'
    if (bytesRead >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'be'
    let even = 0
    let odd = 0
    for (let i = 0; i + 1 < bytesRead; i += 2) {
      if (head[i] === 0) even++
      if (head[i + 1] === 0) odd++
    }
    const pairs = bytesRead >> 1
    if (pairs >= 2 && odd * 2 >= pairs && even * 4 <= odd) return 'le'
    if (pairs >= 2 && even * 2 >= pairs && odd * 4 <= even) return 'be'
    return undefined
  }

  /** The database row for this file: same inode, same fingerprint (and same name with compare_filename). */
  private async lookup(path: string, st: Stats, fh: FileHandle) {
    const db = this.db!
    for (const row of db.rowsForInode(st.ino)) {
      if (this.cfg.compareFilename && row.name !== path) continue
      if (row.fpHash !== null && row.fpLen !== null) {
        const same = st.size >= row.fpLen && (await fingerprint(fh, st.size, row.fpLen)).hash === row.fpHash
        if (!same) {
          // The inode was reused by another file: the row describes content that no longer exists.
          this.ctx.log.debug(`inode ${st.ino} reused by ${path}: dropping the stale offset of ${row.name}`)
          db.delete(row.id)
          continue
        }
      }
      return row
    }
    return undefined
  }

  private watchDirectory(pattern: string): void {
    const dir = patternDirectory(pattern)
    if (dir === undefined || this.dirWatchers.has(dir)) return
    try {
      const w = watch(dir, { persistent: false }, (event) => {
        if (event === 'rename') this.scanRequested = true
        this.wake()
      })
      w.on('error', () => {
        w.close()
        this.dirWatchers.delete(dir)
      })
      this.dirWatchers.set(dir, w)
    } catch {
      // The directory does not exist yet; the periodic scan finds files once it does.
    }
  }

  // ---- checking open files ---------------------------------------------------------------------

  private async checkAll(deep: boolean): Promise<void> {
    const now = Date.now()
    for (const f of [...this.files.values()]) {
      if (f.closed || this.stopped) continue
      await this.checkOne(f, now, deep)
    }
  }

  private async checkOne(f: TailFile, now: number, deep: boolean): Promise<void> {
    try {
      await this.check(f, now, deep)
    } catch (err) {
      this.metrics.errors.inc({ ...this.labels, reason: 'check' })
      this.ctx.log.error(`cannot check ${f.path}: ${(err as Error).message}; closing it`)
      await this.closeFile(f, 'error')
    }
  }

  private async check(f: TailFile, now: number, deep: boolean): Promise<void> {
    if (f.rotatedAt === 0) {
      const st = await stat(f.path).catch(() => undefined)
      if (!st || st.ino !== f.ino || st.dev !== f.dev) {
        f.rotatedAt = now
        if (this.byPath.get(f.path) === f) this.byPath.delete(f.path)
        const own = await f.fh.stat()
        if (own.nlink > 0) {
          this.metrics.rotated.inc(this.labels)
          this.ctx.log.info(`inode=${f.ino} rotated ${f.path}; reading it ${this.cfg.rotateWaitMs / 1000}s more`)
        } else {
          this.ctx.log.info(`inode=${f.ino} ${f.path} was deleted; reading it to the end`)
        }
        if (f.dbId !== undefined) this.db?.rename(f.dbId, f.path, true)
        // The path names a new file (rename + create): read it from the start, as it is new.
        if (st?.isFile() && !this.isExcluded(f.path)) await this.consider(f.path, st, true)
      }
    }
    const own = await f.fh.stat()
    if (own.size < f.readPos) {
      await this.restart(f, `file truncated: ${f.path} is ${own.size} bytes, was read to ${f.readPos}`, own.size)
    } else if (deep && f.fp.len > 0) {
      const head = await fingerprint(f.fh, own.size, f.fp.len)
      if (head.hash !== f.fp.hash) {
        await this.restart(f, `file rewritten in place: ${f.path} no longer starts with the same bytes`, own.size)
      }
    }
    if (own.size !== f.size) f.idle = false
    f.size = own.size
    f.mtimeMs = own.mtimeMs
    // A rotated file closes after Rotate_Wait, but never with data left unread (backpressure may
    // have paused reading): closing it then would lose those lines.
    if (f.rotatedAt > 0 && now - f.rotatedAt >= this.cfg.rotateWaitMs && f.idle) {
      await this.finishPartial(f)
      await this.closeFile(f, 'rotated')
    } else if (
      this.cfg.ignoreActiveOlder &&
      this.cfg.ignoreOlderMs > 0 &&
      own.mtimeMs < now - this.cfg.ignoreOlderMs &&
      f.readPos >= own.size
    ) {
      await this.closeFile(f, 'older than ignore_older')
    }
  }

  /** copytruncate: the same inode now holds new content; read it from the start. */
  private async restart(f: TailFile, why: string, size: number): Promise<void> {
    this.metrics.truncated.inc(this.labels)
    this.ctx.log.info(`${why}; reading it again from the start`)
    if (f.joiner) {
      const held = f.joiner.flushAll()
      if (held.length > 0) this.deliver(f, held)
      else f.held.clear()
    }
    f.restartAt(0)
    f.fp = await fingerprint(f.fh, size)
    if (f.dbId !== undefined && this.db) {
      this.db.commit(f.dbId, 0)
      this.db.fingerprint(f.dbId, f.fp.len, f.fp.hash)
    }
  }

  /**
   * A rotated file will not grow any more: its unterminated last line, which a live file would keep
   * waiting for, is emitted as a record instead of being lost.
   */
  private async finishPartial(f: TailFile): Promise<void> {
    const size = (await f.fh.stat()).size
    const rest = size - f.readPos
    if (rest <= 0 || f.skipping || rest > this.cfg.line.maxLine) return
    // Read the rest and end it with a newline (in UTF-16, the code unit U+000A).
    const nl = f.utf16 === 'le' ? [10, 0] : f.utf16 === 'be' ? [0, 10] : [10]
    const tmp = Buffer.allocUnsafe(rest + nl.length)
    const { bytesRead } = await f.fh.read(tmp, 0, rest, f.readPos)
    tmp.set(nl, bytesRead)
    const r = splitChunk(f, tmp, bytesRead + nl.length, this.cfg.line)
    f.readPos += bytesRead
    this.ctx.log.debug(`${f.path}: last line had no newline; emitted as is (${bytesRead} bytes) before closing`)
    this.deliver(f, r.events)
  }

  private async closeFile(f: TailFile, reason: string): Promise<void> {
    if (f.closed) return
    if (f.joiner) {
      const held = f.joiner.flushAll()
      if (held.length > 0) this.deliver(f, held)
      else f.held.clear()
    }
    f.closed = true
    f.watcher?.close()
    this.files.delete(f.key)
    if (this.byPath.get(f.path) === f) this.byPath.delete(f.path)
    await f.fh.close().catch(() => undefined)
    this.metrics.closed.inc(this.labels)
    this.metrics.open.set(this.labels, this.files.size)
    this.ctx.log.debug(`inode=${f.ino} closed ${f.path} (${reason})`)
    this.forgetIfDone(f)
  }

  /** A rotated file that is closed and fully delivered no longer needs its database row. */
  private forgetIfDone(f: TailFile): void {
    if (f.closed && f.rotatedAt > 0 && f.dbId !== undefined && f.tracker.pending === 0) {
      this.db?.delete(f.dbId)
      f.dbId = undefined
    }
  }

  // ---- reading -----------------------------------------------------------------------------------

  /** Reads `f` up to its end (or Static_Batch_Size); true when something was consumed. */
  private async pump(f: TailFile): Promise<boolean> {
    let total = 0
    let progressed = false
    let eof = false
    while (total < this.cfg.batchBytes) {
      if (this.stopped || this.ctx.paused || f.closed) break
      const buf = this.buf
      let n: number
      try {
        n = (await f.fh.read(buf, 0, buf.length, f.readPos)).bytesRead // fast path
      } catch (err) {
        this.metrics.errors.inc({ ...this.labels, reason: 'read' })
        this.ctx.log.error(`cannot read ${f.path} at offset ${f.readPos}: ${(err as Error).message}; closing it`)
        await this.closeFile(f, 'read error')
        return progressed
      }
      if (f.closed) break
      if (n === 0) {
        // Woken for this file but nothing to read: maybe it was truncated and rewritten in place
        // (copytruncate), which a shorter size or different first bytes reveal.
        if (total === 0 && f.readPos > 0 && (await this.rewritten(f))) {
          await this.checkOne(f, Date.now(), true)
          if (!f.closed && f.readPos === 0) continue
        }
        eof = true
        break
      }
      if (f.fp.len < FINGERPRINT_BYTES && f.readPos + n > f.fp.len) await this.refreshFingerprint(f)
      const r = splitChunk(f, buf, n, this.cfg.line) // fast path
      if (r.end === f.readPos && r.stoppedAt === undefined) {
        // No newline yet: a partial line waits for the rest, unless it fills the buffer.
        if (n < buf.length) {
          eof = true
          break
        }
        this.buf = Buffer.allocUnsafe(Math.min(this.cfg.line.maxLine + 1, buf.length * 2))
        continue
      }
      for (const l of r.long) this.reportLongLine(f, l.offset, l.action)
      total += r.end - f.readPos
      f.readPos = r.end
      this.deliver(f, r.events)
      progressed = true
      if (r.stoppedAt !== undefined) {
        const fp = await fingerprint(f.fh, f.size)
        this.abandoned.set(f.key, fp.hash)
        await this.closeFile(f, 'long line')
        return progressed
      }
      if (n < buf.length) {
        eof = true
        break
      }
    }
    if (eof) f.idle = true
    if (eof && this.cfg.exitOnEof && !this.exitRequested) {
      this.exitRequested = true
      this.ctx.log.info(`exit_on_eof: ${f.path} read to its end, shutting down`)
      this.onExit()
    }
    return progressed
  }

  private async rewritten(f: TailFile): Promise<boolean> {
    const size = (await f.fh.stat()).size
    if (size < f.readPos) return true
    if (f.fp.len === 0) return false
    return (await fingerprint(f.fh, size, f.fp.len)).hash !== f.fp.hash
  }

  private async refreshFingerprint(f: TailFile): Promise<void> {
    f.fp = await fingerprint(f.fh, Number.MAX_SAFE_INTEGER)
    if (f.dbId !== undefined) this.db?.fingerprint(f.dbId, f.fp.len, f.fp.hash)
  }

  private reportLongLine(f: TailFile, offset: number, action: 'skip' | 'truncate' | 'stop'): void {
    const max = this.cfg.line.maxLine
    if (action === 'skip' || action === 'truncate') {
      ;(action === 'skip' ? this.metrics.longSkipped : this.metrics.longTruncated).inc(this.labels)
      // One warning per long line, but at most one per file every LONG_LINE_WARN_MS (the rest are
      // counted, and summed up in the next warning) so that a file of long lines cannot flood the log.
      const now = Date.now()
      if (now - f.longWarnAt < LONG_LINE_WARN_MS) {
        f.longSuppressed++
        return
      }
      const more = f.longSuppressed > 0 ? ` (and ${f.longSuppressed} more since the last warning)` : ''
      f.longWarnAt = now
      f.longSuppressed = 0
      this.ctx.log.warn(
        `file=${f.path} offset=${offset}: line longer than buffer_max_size (${max} bytes) ${action === 'skip' ? 'skipped' : 'truncated'}${more}`,
      )
    } else {
      this.metrics.abandoned.inc(this.labels)
      this.ctx.log.error(
        `file=${f.path} offset=${offset} requires a larger buffer size, lines are too long (buffer_max_size ${max}); ` +
          'no longer reading this file until it rotates (set skip_long_lines or truncate_long_lines to keep reading)',
      )
    }
  }

  /** Emits one batch of `f` with an acknowledgement that commits its end offset in order. */
  private deliver(f: TailFile, events: LogEvent[]): void {
    const joiner = f.joiner
    if (joiner) f.trimHeld((g) => joiner.pending(g))
    const end = f.safePoint()
    if (events.length === 0) {
      f.tracker.skip(end)
      return
    }
    if (f.joiner && (this.cfg.line.pathKey !== undefined || this.cfg.line.offsetKey !== undefined)) {
      const { pathKey, offsetKey } = this.cfg.line
      for (const e of events) {
        if (pathKey !== undefined) e.body[pathKey] = f.path
        if (offsetKey !== undefined) e.body[offsetKey] = end
      }
    }
    const done = f.tracker.track(end)
    this.outstanding++
    let acked = false
    this.ctx.emit(f.tag, events, () => {
      if (acked) return
      acked = true
      this.outstanding--
      done()
      this.forgetIfDone(f)
      if (this.stopped) this.maybeCloseDb()
    })
  }

  private flushExpired(): void {
    const now = Date.now()
    for (const f of this.files.values()) {
      if (!f.joiner || f.closed) continue
      const out = f.joiner.flushExpired(now)
      if (out.length > 0) this.deliver(f, out)
    }
  }

  private maybeCloseDb(): void {
    if (this.stopped && this.outstanding === 0 && this.files.size === 0) this.db?.close()
  }

  private reportOnce(key: string, msg: string): void {
    if (this.reported.has(key)) return
    this.reported.add(key)
    this.ctx.log.error(msg)
  }
}

// Filesystem buffering (Fluent Bit's `storage.type filesystem`): the records of such an input are
// appended to a chunk file under storage.path (one open chunk per input and tag) BEFORE they go on
// into the pipeline, so that they survive a crash of the agent even for inputs that cannot read
// them again (dummy, forward, http). A chunk is deleted once it is sealed and every batch of it was
// delivered or rejected for good by the outputs it was routed to. Delivery is still acknowledged
// end to end to the input (tail commits an offset only when its records are delivered).
//
// Memory: a chunk is "up" while its records are in the pipeline. At most storage.max_chunks_up
// chunks are up (all inputs together); beyond that, new chunks are written "down" (on disk only) and
// brought up, oldest first, as up chunks complete. With storage.pause_on_chunks_overlimit the input
// is paused instead. Chunks left on disk by a previous run are replayed at start (the backlog), at
// most storage.backlog.mem_limit bytes of them up at a time.
//
// A chunk that cannot be read back (bad magic, CRC mismatch, cut record) is moved to
// <storage.path>/quarantine/ (or deleted with storage.delete_irrecoverable_chunks), with one error
// line naming the file and why, and counted. A full disk (ENOSPC) pauses the input, keeps the
// records it holds, and retries every second until the write succeeds.

import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { MetricsRegistry, Series } from '../../metrics.ts'
import type { AckCallback, DeliveryOutcome } from '../../plugin.ts'
import { CHUNK_LIMIT_BYTES } from '../output-queue.ts'
import { scaledMs, type Timing } from '../timing.ts'
import { CHUNK_SUFFIX, ChunkError, decodeChunk, encodeHeader, encodeRecords, encodeTrailer } from './chunk-file.ts'

export interface StorageSettings {
  readonly path: string
  readonly sync: 'normal' | 'full'
  readonly checksum: boolean
  readonly maxChunksUp: number
  readonly backlogMemLimit: number
  readonly deleteIrrecoverable: boolean
  readonly metrics: boolean
  /** Seconds between chunk seals (service Flush). */
  readonly flush: number
}

/**
 * An output with storage.total_limit_size: chunks waiting on disk for it count against the limit,
 * with what its queue holds in memory.
 */
export interface LimitedOutput {
  readonly id: string
  readonly match: (tag: string) => boolean
  /** storage.total_limit_size in bytes; undefined = no limit. */
  readonly limit: number | undefined
  /** Estimated bytes queued in memory for this output. */
  queuedBytes(): number
  readonly dropped: Series
  readonly log: Logger
}

/** Where the records of a chunk go once written (the input runtime's emit). */
export type Downstream = (tag: string, events: LogEvent[], ack: AckCallback) => void

interface Chunk {
  readonly store: InputStore
  readonly tag: string
  readonly file: string
  fd: number | undefined
  bytes: number
  records: number
  sealed: boolean
  up: boolean
  /** Batches of this chunk in the pipeline, not yet acknowledged. */
  inPipeline: number
  /** Acks of the input's batches written while the chunk was down: run when it completes. */
  readonly held: { ack: AckCallback | undefined; n: number }[]
  readonly backlog: boolean
}

/** Seconds between attempts to write again after ENOSPC. */
const RETRY_WRITE_SEC = 1
const QUARANTINE = 'quarantine'

const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_')

export class StorageManager {
  readonly s: StorageSettings
  readonly log: Logger
  readonly timing: Timing
  private readonly stores = new Map<string, InputStore>()
  /** Chunks on disk only, oldest first (backlog and overflow). */
  private readonly down: Chunk[] = []
  private upCount = 0
  private backlogUpBytes = 0
  private seq = 0
  private outputs: readonly LimitedOutput[] = []
  private readonly quarantined: Series
  private readonly writeErrors: Series
  private readonly g: ReturnType<typeof storageGauges> | undefined

  constructor(s: StorageSettings, log: Logger, metrics: MetricsRegistry, timing: Timing) {
    this.s = s
    this.log = log
    this.timing = timing
    mkdirSync(s.path, { recursive: true })
    this.quarantined = metrics
      .counter(
        'sluice_storage_quarantined_chunks_total',
        'Chunks that could not be read back (quarantined or deleted).',
      )
      .labels({})
    this.writeErrors = metrics
      .counter('sluice_storage_write_errors_total', 'Failed writes of buffer chunks (ENOSPC and other errors).')
      .labels({})
    this.g = s.metrics ? storageGauges(metrics) : undefined
  }

  /** The store of a `storage.type filesystem` input (kept across reloads while the input is kept). */
  store(inputId: string, downstream: Downstream, pauseOnOverlimit: boolean, log: Logger): InputStore {
    const st = new InputStore(this, inputId, downstream, pauseOnOverlimit, log)
    this.stores.set(inputId, st)
    return st
  }

  forget(st: InputStore): void {
    if (this.stores.get(st.inputId) === st) this.stores.delete(st.inputId)
  }

  nextFileName(dir: string): string {
    this.seq = (this.seq + 1) % 1e9
    return join(
      dir,
      `${String(this.timing.now()).padStart(14, '0')}-${String(this.seq).padStart(9, '0')}${CHUNK_SUFFIX}`,
    )
  }

  /** The outputs (start, reload), for storage.total_limit_size. */
  setOutputs(outputs: readonly LimitedOutput[]): void {
    this.outputs = outputs
  }

  /**
   * storage.total_limit_size counts the chunks waiting on disk too: when the bytes for an output
   * (queued in memory + its chunks on disk) exceed the limit, its oldest chunks on disk are dropped.
   * Routes are decided by the chunk's tag as written (before filters). A chunk that another
   * output without a limit (or under it) also matches is kept: dropping it would lose records that
   * output can still take. Every drop is counted in the output's dropped records and logged.
   */
  enforceLimits(tag: string): void {
    for (const o of this.outputs) {
      if (o.limit === undefined || !o.match(tag)) continue
      let onDisk = 0
      for (const c of this.down) if (o.match(c.tag)) onDisk += c.bytes
      let total = o.queuedBytes() + onDisk
      for (let i = 0; i < this.down.length && total > o.limit; ) {
        const c = this.down[i]!
        if (!o.match(c.tag) || !this.overAll(c.tag)) {
          i++
          continue
        }
        this.down.splice(i, 1)
        total -= c.bytes
        if (!c.sealed) c.store.seal(c)
        try {
          unlinkSync(c.file)
        } catch {}
        c.store.chunkGone(c)
        for (const x of this.outputs) {
          if (!x.match(c.tag)) continue
          x.dropped.inc(c.records)
          x.log.error(
            `dropped ${c.records} records (tag ${c.tag}): storage.total_limit_size (${x.limit} bytes) reached: oldest chunk on disk ${c.file} deleted`,
          )
        }
        for (const h of c.held) safeAck(h.ack, { delivered: 0, rejected: h.n }, this.log)
      }
    }
    this.refresh()
  }

  /** Every output matching the tag has a total_limit_size and is over it. */
  private overAll(tag: string): boolean {
    for (const o of this.outputs) {
      if (!o.match(tag)) continue
      if (o.limit === undefined) return false
      let onDisk = 0
      for (const c of this.down) if (o.match(c.tag)) onDisk += c.bytes
      if (o.queuedBytes() + onDisk <= o.limit) return false
    }
    return true
  }

  /** A new chunk may be up when fewer than max_chunks_up are and no older chunk waits on disk. */
  canGoUp(): boolean {
    return this.upCount < this.s.maxChunksUp && this.down.length === 0
  }

  get overLimit(): boolean {
    return this.upCount >= this.s.maxChunksUp
  }

  markUp(c: Chunk): void {
    c.up = true
    this.upCount++
    if (c.backlog) this.backlogUpBytes += c.bytes
  }

  markDown(c: Chunk): void {
    this.down.push(c)
  }

  countWriteError(): void {
    this.writeErrors.inc()
  }

  /** A sealed, up chunk whose batches are all settled: delete it and bring up what waits. */
  done(c: Chunk): void {
    this.upCount--
    if (c.backlog) this.backlogUpBytes -= c.bytes
    try {
      unlinkSync(c.file)
    } catch (err) {
      this.log.error(`cannot delete delivered chunk ${c.file}: ${(err as Error).message}`)
    }
    c.store.chunkGone(c)
    this.promote()
    for (const st of this.stores.values()) st.wake()
    this.refresh()
  }

  /** Brings chunks up from disk, oldest first, within max_chunks_up and storage.backlog.mem_limit. */
  promote(): void {
    while (this.down.length > 0 && this.upCount < this.s.maxChunksUp) {
      const c = this.down[0]!
      if (c.backlog && this.backlogUpBytes > 0 && this.backlogUpBytes + c.bytes > this.s.backlogMemLimit) break
      this.down.shift()
      if (!c.sealed) c.store.seal(c)
      let events: LogEvent[]
      try {
        const d = decodeChunk(readFileSync(c.file, 'utf8'))
        events = d.events
      } catch (err) {
        this.irrecoverable(c.file, err)
        c.store.chunkGone(c)
        // the input's batches in it are lost: say so to their acks (rejected for good)
        for (const h of c.held) safeAck(h.ack, { delivered: 0, rejected: h.n }, this.log)
        continue
      }
      this.markUp(c)
      c.inPipeline++
      c.store.emitDown(c, events)
    }
    this.refresh()
  }

  /** Reads the chunks left on disk by a previous run: good ones are replayed, bad ones quarantined. */
  loadBacklog(): void {
    let dirs: string[]
    try {
      dirs = readdirSync(this.s.path)
    } catch (err) {
      this.log.error(`cannot read storage.path ${this.s.path}: ${(err as Error).message}`)
      return
    }
    const found: Chunk[] = []
    for (const d of dirs) {
      if (d === QUARANTINE) continue
      const dir = join(this.s.path, d)
      let files: string[]
      try {
        if (!statSync(dir).isDirectory()) continue
        files = readdirSync(dir).filter((f) => f.endsWith(CHUNK_SUFFIX))
      } catch {
        continue
      }
      const st = [...this.stores.values()].find((x) => x.dirName === d)
      if (st === undefined) {
        if (files.length > 0)
          this.log.warn(`${files.length} chunk(s) in ${dir} belong to no filesystem input of this config; left on disk`)
        continue
      }
      for (const f of files.sort()) {
        const file = join(dir, f)
        try {
          const text = readFileSync(file, 'utf8')
          const dec = decodeChunk(text)
          found.push(newChunk(st, dec.tag, file, Buffer.byteLength(text), dec.events.length, true))
        } catch (err) {
          this.irrecoverable(file, err)
        }
      }
    }
    found.sort((a, b) => (a.file.slice(-30) < b.file.slice(-30) ? -1 : 1))
    if (found.length > 0) {
      const n = found.reduce((s, c) => s + c.records, 0)
      this.log.info(`replaying ${found.length} chunk(s) (${n} records) left in ${this.s.path}`)
    }
    this.down.unshift(...found)
    this.promote()
  }

  irrecoverable(file: string, err: unknown): void {
    const why = err instanceof ChunkError ? err.message : `cannot read: ${(err as Error)?.message}`
    this.quarantined.inc()
    if (this.s.deleteIrrecoverable) {
      try {
        unlinkSync(file)
      } catch {}
      this.log.error(`deleted irrecoverable chunk ${file}: ${why} (storage.delete_irrecoverable_chunks)`)
      return
    }
    const qdir = join(this.s.path, QUARANTINE)
    const target = join(qdir, `${file.split('/').slice(-2).join('-')}`)
    try {
      mkdirSync(qdir, { recursive: true })
      renameSync(file, target)
      this.log.error(`quarantined chunk ${file} to ${target}: ${why}`)
    } catch (e) {
      this.log.error(`irrecoverable chunk ${file}: ${why}; cannot move it to ${qdir}: ${(e as Error).message}`)
    }
  }

  /** Seals every open chunk and stops timers (shutdown). What is not delivered stays on disk. */
  close(): void {
    for (const st of this.stores.values()) st.close()
  }

  refresh(): void {
    const g = this.g
    if (g === undefined) return
    let total = 0
    let up = 0
    for (const st of this.stores.values()) {
      const l = { name: st.inputId }
      g.inChunks.set(l, st.chunks.size)
      g.inUp.set(l, st.upChunks())
      g.inDown.set(l, st.chunks.size - st.upChunks())
      g.inOver.set(l, st.paused ? 1 : 0)
      total += st.chunks.size
      up += st.upChunks()
    }
    g.chunks.set(undefined, total)
    g.fs.set(undefined, total)
    g.mem.set(undefined, 0)
    g.up.set(undefined, up)
    g.down.set(undefined, total - up)
  }

  /** Fluent Bit's /api/v1/storage document. */
  report(): object {
    let total = 0
    let up = 0
    const inputs: Record<string, object> = {}
    for (const st of this.stores.values()) {
      const u = st.upChunks()
      total += st.chunks.size
      up += u
      inputs[st.inputId] = {
        status: { overlimit: st.paused, mem_size: '0b', mem_limit: '0b' },
        chunks: { total: st.chunks.size, up: u, down: st.chunks.size - u, busy: u, busy_size: '0b' },
      }
    }
    return {
      storage_layer: {
        chunks: { total_chunks: total, mem_chunks: 0, fs_chunks: total, fs_chunks_up: up, fs_chunks_down: total - up },
      },
      input_chunks: inputs,
    }
  }
}

function storageGauges(m: MetricsRegistry) {
  return {
    chunks: m.gauge('fluentbit_storage_chunks', 'Total number of chunks in the storage layer.'),
    mem: m.gauge('fluentbit_storage_mem_chunks', 'Total number of memory chunks.'),
    fs: m.gauge('fluentbit_storage_fs_chunks', 'Total number of filesystem chunks.'),
    up: m.gauge('fluentbit_storage_fs_chunks_up', 'Number of filesystem chunks up in memory.'),
    down: m.gauge('fluentbit_storage_fs_chunks_down', 'Number of filesystem chunks down (on disk only).'),
    inChunks: m.gauge('fluentbit_input_storage_chunks', 'Number of chunks of the input.'),
    inUp: m.gauge('fluentbit_input_storage_chunks_up', 'Number of chunks of the input up in memory.'),
    inDown: m.gauge('fluentbit_input_storage_chunks_down', 'Number of chunks of the input down (on disk only).'),
    inOver: m.gauge('fluentbit_input_storage_overlimit', 'Is the input paused by its storage limits or not?'),
  }
}

function newChunk(
  store: InputStore,
  tag: string,
  file: string,
  bytes: number,
  records: number,
  backlog: boolean,
): Chunk {
  const c: Chunk = {
    store,
    tag,
    file,
    fd: undefined,
    bytes,
    records,
    sealed: backlog,
    up: false,
    inPipeline: 0,
    held: [],
    backlog,
  }
  store.chunks.add(c)
  return c
}

function safeAck(ack: AckCallback | undefined, r: DeliveryOutcome, log: Logger): void {
  try {
    ack?.(r)
  } catch (err) {
    log.error(`ack callback failed: ${(err as Error)?.message}`)
  }
}

/** Splits a chunk's result over the input batches it held (rejections charged first-come). */
function spread(held: Chunk['held'], r: DeliveryOutcome, log: Logger): void {
  let rejected = r.rejected
  for (const h of held) {
    const rej = Math.min(h.n, rejected)
    rejected -= rej
    safeAck(h.ack, { delivered: h.n - rej, rejected: rej }, log)
  }
}

interface Pending {
  readonly tag: string
  readonly events: LogEvent[]
  readonly ack: AckCallback | undefined
}

export class InputStore {
  readonly inputId: string
  readonly dirName: string
  readonly dir: string
  readonly chunks = new Set<Chunk>()
  private readonly m: StorageManager
  private readonly downstream: Downstream
  private readonly pauseOnOverlimit: boolean
  private readonly log: Logger
  private readonly open = new Map<string, Chunk>()
  /** Records held while the disk is full, in order; the input is paused meanwhile. */
  private readonly pending: Pending[] = []
  private retryTimer: unknown = undefined
  private sealTimer: unknown = undefined
  private waiters: (() => void)[] = []
  private closed = false

  constructor(m: StorageManager, inputId: string, downstream: Downstream, pauseOnOverlimit: boolean, log: Logger) {
    this.m = m
    this.inputId = inputId
    this.dirName = safeName(inputId)
    this.dir = join(m.s.path, this.dirName)
    this.downstream = downstream
    this.pauseOnOverlimit = pauseOnOverlimit
    this.log = log
    mkdirSync(this.dir, { recursive: true })
    this.scheduleSeal()
  }

  /** Paused by the disk being full, or by storage.pause_on_chunks_overlimit. */
  get paused(): boolean {
    return this.pending.length > 0 || (this.pauseOnOverlimit && this.m.overLimit)
  }

  upChunks(): number {
    let n = 0
    for (const c of this.chunks) if (c.up) n++
    return n
  }

  whenResumed(): Promise<void> {
    if (!this.paused || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  wake(): void {
    if (this.paused && !this.closed) return
    const ws = this.waiters
    this.waiters = []
    for (const w of ws) w()
  }

  /** The input's emit: write first, then pass the records on (or hold them while the chunk is down). */
  emit(tag: string, events: LogEvent[], ack?: AckCallback): void {
    if (events.length === 0) {
      ack?.({ delivered: 0, rejected: 0 })
      return
    }
    if (this.pending.length > 0) {
      this.pending.push({ tag, events, ack })
      return
    }
    this.write(tag, events, ack)
  }

  /** Returns false when the disk is full (the records are then held in `pending`). */
  private write(tag: string, events: LogEvent[], ack: AckCallback | undefined): boolean {
    let data: string
    try {
      data = encodeRecords(events, this.m.s.checksum)
    } catch (err) {
      // a body JSON cannot hold: pass it on in memory rather than lose it, and say so
      this.m.countWriteError()
      this.log.error(
        `cannot buffer ${events.length} records (tag ${tag}) on disk: ${(err as Error).message}; passed on in memory only`,
      )
      this.downstream(tag, events, (r) => safeAck(ack, r, this.log))
      return true
    }
    let c = this.open.get(tag)
    try {
      if (c === undefined) c = this.create(tag)
      const buf = Buffer.from(data)
      try {
        let off = 0
        while (off < buf.length) off += writeSync(c.fd!, buf, off)
        if (this.m.s.sync === 'full') fsyncSync(c.fd!)
      } catch (err) {
        // never leave a cut record behind: the chunk goes back to its last complete record
        try {
          ftruncateSync(c.fd!, c.bytes)
        } catch {}
        throw err
      }
      c.bytes += buf.length
      c.records += events.length
    } catch (err) {
      return this.writeFailed(tag, events, ack, err as NodeJS.ErrnoException)
    }
    if (c.up) {
      c.inPipeline++
      this.downstream(tag, events, (r) => {
        safeAck(ack, r, this.log)
        c.inPipeline--
        this.maybeDone(c)
      })
    } else {
      c.held.push({ ack, n: events.length })
      this.m.enforceLimits(tag)
    }
    if (c.bytes >= CHUNK_LIMIT_BYTES && !c.sealed) this.seal(c)
    return true
  }

  private create(tag: string): Chunk {
    const file = this.m.nextFileName(this.dir)
    const fd = openSync(file, 'wx')
    try {
      const h = Buffer.from(encodeHeader(tag, this.m.s.checksum))
      writeSync(fd, h)
      const c = newChunk(this, tag, file, h.length, 0, false)
      c.fd = fd
      this.open.set(tag, c)
      if (this.m.canGoUp()) this.m.markUp(c)
      else this.m.markDown(c)
      this.m.refresh()
      return c
    } catch (err) {
      closeSync(fd)
      try {
        unlinkSync(file)
      } catch {}
      throw err
    }
  }

  private writeFailed(tag: string, events: LogEvent[], ack: AckCallback | undefined, err: NodeJS.ErrnoException) {
    this.m.countWriteError()
    if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
      const first = this.pending.length === 0
      this.pending.unshift({ tag, events, ack })
      if (first)
        this.log.error(
          `cannot write chunk in ${this.dir}: no space left on device (${err.code}); input paused, ${events.length} records held in memory, retrying every ${RETRY_WRITE_SEC}s`,
        )
      this.m.refresh()
      this.scheduleRetry()
      return false
    }
    this.log.error(
      `cannot write chunk in ${this.dir}: ${err.message}; ${events.length} records (tag ${tag}) passed on in memory only`,
    )
    this.downstream(tag, events, (r) => safeAck(ack, r, this.log))
    return true
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.closed) return
    this.retryTimer = this.m.timing.setTimeout(
      () => {
        this.retryTimer = undefined
        while (this.pending.length > 0) {
          const p = this.pending.shift()!
          if (!this.write(p.tag, p.events, p.ack)) return // put back at the head; retry scheduled
        }
        this.log.info(`chunk writes in ${this.dir} succeed again; input resumed`)
        this.m.refresh()
        this.wake()
      },
      scaledMs(this.m.timing, RETRY_WRITE_SEC),
    )
  }

  private scheduleSeal(): void {
    if (this.closed) return
    this.sealTimer = this.m.timing.setTimeout(
      () => {
        this.sealTimer = undefined
        for (const c of [...this.open.values()]) this.seal(c)
        this.scheduleSeal()
      },
      scaledMs(this.m.timing, this.m.s.flush),
    )
  }

  seal(c: Chunk): void {
    if (c.sealed) return
    c.sealed = true
    if (this.open.get(c.tag) === c) this.open.delete(c.tag)
    try {
      const t = Buffer.from(encodeTrailer(c.records))
      writeSync(c.fd!, t)
      c.bytes += t.length
      if (this.m.s.sync === 'full') fsyncSync(c.fd!)
    } catch (err) {
      // an unsealed chunk is still readable: its complete records are replayed
      this.log.warn(`cannot seal chunk ${c.file}: ${(err as Error).message}`)
    }
    try {
      closeSync(c.fd!)
    } catch {}
    c.fd = undefined
    this.maybeDone(c)
  }

  private maybeDone(c: Chunk): void {
    if (c.sealed && c.up && c.inPipeline === 0 && this.chunks.has(c)) this.m.done(c)
  }

  /** A down chunk brought up: its records go on as one batch; the held acks run when it settles. */
  emitDown(c: Chunk, events: LogEvent[]): void {
    this.downstream(c.tag, events, (r) => {
      spread(c.held, r, this.log)
      c.inPipeline--
      this.maybeDone(c)
    })
  }

  chunkGone(c: Chunk): void {
    this.chunks.delete(c)
  }

  close(): void {
    if (this.closed) return
    for (const c of [...this.open.values()]) this.seal(c)
    this.closed = true
    if (this.sealTimer !== undefined) this.m.timing.clearTimeout(this.sealTimer)
    if (this.retryTimer !== undefined) this.m.timing.clearTimeout(this.retryTimer)
    if (this.pending.length > 0) {
      const n = this.pending.reduce((s, p) => s + p.events.length, 0)
      this.log.warn(`${n} records held while the disk was full were not written at shutdown; not acknowledged`)
      this.pending.length = 0
    }
    this.m.forget(this)
    const ws = this.waiters
    this.waiters = []
    for (const w of ws) w()
  }
}

// The log store: a write-ahead log (wal.ts) in front of DuckDB, partitioned by UTC day.
//
// Each day is its own DuckDB file (`DIR/parts/YYYY-MM-DD.duckdb`) attached to ONE in-process DuckDB
// instance (PRODUCT.md: one instance per file per process). Retention deletes whole files, so the
// bytes come back at once, and a query lists only the days its time range touches.
//
// Ingest: rows are appended to the WAL and acknowledged after fdatasync. Sealed WAL segments are
// loaded in order by one applier with `INSERT … SELECT … FROM read_csv(segment) ORDER BY ts` (async,
// batched, time-ordered: PRODUCT.md's DuckDB rules), one transaction per day that also records the
// segment number in that day's `applied` table — so a replay after a crash never loads a row twice.
// DuckDB cannot write two attached files in one transaction, hence the per-day marker.
//
// Each day also has a `shared` table: the distinct shared parts (row.ts SharedPart, the pods'
// metadata) its rows reference by `kid`, each stored once instead of in every row. The same load
// transaction adds the segment's new ones.

import { EventEmitter } from 'node:events'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api'
import type { Logger } from '@sluice/core/log.ts'
import { Catalog, type CatalogEntry, PathCollector } from './catalog.ts'
import { type DirLock, lockDataDir } from './lock.ts'
import {
  type EncodedColumns,
  analyze,
  DayCache,
  timestampMicros,
  WAL_CSV1_COLUMNS,
  WAL_CSV_COLUMNS,
  WAL_CSV_OPTIONS,
  WAL_JSON_COLUMNS,
  WalWriter,
} from './row.ts'
import { DAY_MICROS, dayOf } from './time.ts'
import { type SealedSegment, Wal } from './wal.ts'

export interface StoreOptions {
  readonly dir: string
  readonly log: Logger
  /** Seal a WAL segment at this size (bytes). */
  readonly segmentMaxBytes?: number
  /** Seal a non-empty WAL segment after this long (ms): the delay before ingested rows are searchable. */
  readonly segmentMaxAgeMs?: number
  /** Refuse ingest (429) while more sealed segments than this wait for the applier. */
  readonly maxPendingSegments?: number
  /** DuckDB worker threads (default: the CPUs available). */
  readonly threads?: number
  /** DuckDB memory limit, e.g. `2GB`. */
  readonly memoryLimit?: string
}

export interface IngestRecord {
  readonly body: Record<string, unknown>
  readonly index: string
  /** The record's own time (forward, OTLP); else `@timestamp`; else now. */
  readonly tsUs?: number
  readonly id?: string | null
}

/** A record checked and split, ready for `commit`. */
export interface PreparedRow {
  readonly tsUs: number
  readonly index: string
  readonly id: string | null
  /** Which keys become columns (row.ts M bits). */
  readonly mask: number
  /** The document; `commit` drops it once the row is written (see there). */
  body: Record<string, unknown> | null
  /**
   * Instead of `body`: a document es/source-transcode.ts transcoded at parse time (its column bytes
   * and its shared `kubernetes` object). `commit` drops it too.
   */
  encoded?: EncodedColumns | undefined
}

export interface Partition {
  readonly day: string
  readonly alias: string
  readonly path: string
  rows: number
  byIndex: Map<string, number>
  /** Ids in its `shared` table (row.ts SharedPart), so a load adds only new ones. */
  sharedIds: Set<string>
}

export class BusyError extends Error {}

export interface IngestCounters {
  records: number
  errors: number
  bySource: { bulk: number; forward: number; otlp: number }
}

const EMPTY = 'sluice_empty_logs'
const EMPTY_SHARED = 'sluice_empty_shared'

/**
 * Columns of a day table (DuckDB DDL). `kid` references the row's shared part in the day's `shared`
 * table (row.ts SharedPart; NULL: none, the whole rest is in `rest`).
 */
export const TABLE_DDL = `(ts TIMESTAMP NOT NULL, seq BIGINT NOT NULL, idx VARCHAR NOT NULL, ns VARCHAR, pod VARCHAR, ctr VARCHAR,
  host VARCHAR, stream VARCHAR, level VARCHAR, msg VARCHAR, mkey UTINYINT, time VARCHAR, id VARCHAR, rest VARCHAR, kid VARCHAR)`

/** The day's shared parts (row.ts SharedPart): each distinct one once, `rest` as `{"kubernetes":…}`. */
export const SHARED_DDL = '(id VARCHAR NOT NULL, rest VARCHAR NOT NULL)'

/**
 * ATTACH options of a day partition: DuckDB's v1.5 storage format instead of its v0.10.2-compatible
 * default. Measured on the Kubernetes workload (5 loads of 40k rows, then CHECKPOINT, 3 runs each):
 * the checkpoint costs 1.8–2.3 instead of 2.8–3.1 µs/row of CPU, for ≈1 byte/row more on disk. Files
 * created so cannot be opened by DuckDB older than 1.5 (docs/server.md, known limits).
 */
export const PARTITION_ATTACH_OPTIONS = "(STORAGE_VERSION 'v1.5.0')"

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** Adds `n` rows of `day` and `index` to a WAL batch's counts (keyed `day\tindex`). */
function addCount(counts: Map<string, number>, day: string, index: string, n: number): void {
  const key = `${day}\t${index}`
  counts.set(key, (counts.get(key) ?? 0) + n)
}

/**
 * A WAL segment as a table with the columns ts, seq, idx, id, ns, pod, ctr, host, stream, level, msg,
 * k, time, r. ignore_errors: a line DuckDB's reader rejects (which JavaScript accepted, or a torn tail
 * cut inside a quoted newline) must not block the segment; such rows are counted by the applier and
 * logged (store_rejected_rows).
 */
function segmentSource(seg: SealedSegment): string {
  const csv = (columns: ReadonlyArray<readonly [string, string]>) =>
    `read_csv(${sqlString(seg.path)}, ${WAL_CSV_OPTIONS}, columns = {${columns.map(([n, t]) => `${n}: '${t}'`).join(', ')}}, ignore_errors = true, max_line_size = 134217728)`
  if (seg.format === 'csv2') return csv(WAL_CSV_COLUMNS)
  // Segments written before rows referenced a shared part (replayed after an upgrade).
  if (seg.format === 'csv') return `(SELECT *, NULL::VARCHAR AS kid, NULL::VARCHAR AS kr FROM ${csv(WAL_CSV1_COLUMNS)})`
  // Legacy NDJSON segments (versions before the CSV WAL), replayed after an upgrade.
  const cols = WAL_JSON_COLUMNS.map(([n, t]) => `${n}: '${t}'`).join(', ')
  return `(SELECT ts, seq, idx, id, c[1] AS ns, c[2] AS pod, c[3] AS ctr, c[4] AS host, c[5] AS stream, c[6] AS level,
    c[7] AS msg, k, c[8] AS time, r, NULL::VARCHAR AS kid, NULL::VARCHAR AS kr
    FROM read_json(${sqlString(seg.path)}, format = 'newline_delimited', columns = {${cols}}, ignore_errors = true, maximum_object_size = 134217728))`
}

export class Store {
  readonly dir: string
  readonly catalog = new Catalog()
  readonly events = new EventEmitter()
  readonly ingest: IngestCounters = { records: 0, errors: 0, bySource: { bulk: 0, forward: 0, otlp: 0 } }
  /** Highest sequence number loaded into DuckDB (visible to queries). */
  appliedSeq = -1
  applyErrors = 0
  droppedSegments = 0
  /** Rows of the segments moved to wal-failed/ (acknowledged, kept on disk, not searchable). */
  droppedRows = 0
  private readonly opts: StoreOptions
  private readonly log: Logger
  private lock: DirLock | null = null
  private instance!: DuckDBInstance
  private writer!: DuckDBConnection
  private deleter: DuckDBConnection | null = null
  private writerChain: Promise<unknown> = Promise.resolve()
  private readers: DuckDBConnection[] = []
  private readerWaiters: Array<(c: DuckDBConnection) => void> = []
  private wal!: Wal
  private readonly partitions = new Map<string, Partition>()
  private queue: SealedSegment[] = []
  private applying: Promise<void> | null = null
  private nextSeq = 0
  private readonly dayCache = new DayCache()
  private readonly sharedCache = new Map<string, string>()
  private readonly paths = new PathCollector()
  /** Rows that DuckDB could not read back from the WAL (JSON it rejects): counted and logged. */
  rejectedRows = 0
  private readonly catalogPath: string
  private readonly partsDir: string
  private closed = false
  /** Resolvers waiting for a segment number to be applied. */
  private appliedWaiters: Array<{ no: number; resolve: () => void }> = []
  private lastAppliedSegment = 0

  private constructor(opts: StoreOptions) {
    this.opts = opts
    this.dir = opts.dir
    this.log = opts.log
    this.catalogPath = join(opts.dir, 'catalog.ndjson')
    this.partsDir = join(opts.dir, 'parts')
  }

  /** Opens (creating) the data directory: takes the lock, attaches partitions, replays the WAL. */
  static async open(opts: StoreOptions): Promise<Store> {
    const s = new Store(opts)
    await s.init()
    return s
  }

  private async init(): Promise<void> {
    mkdirSync(this.dir, { recursive: true })
    this.lock = lockDataDir(this.dir)
    if (this.lock.tookOverStale !== null)
      this.log.warn(`took over a stale lock of pid ${this.lock.tookOverStale} in ${this.dir} (that server is gone)`)
    try {
      mkdirSync(this.partsDir, { recursive: true })
      this.instance = await DuckDBInstance.create(':memory:', {
        threads: String(this.opts.threads ?? availableParallelism()),
        // Fewer, larger checkpoints: ingest writes in big batches (PRODUCT.md).
        checkpoint_threshold: '256MB',
        ...(this.opts.memoryLimit ? { memory_limit: this.opts.memoryLimit } : {}),
      })
      this.writer = await this.instance.connect()
      await this.writer.run(`CREATE TABLE ${EMPTY} ${TABLE_DDL}`)
      await this.writer.run(`CREATE TABLE ${EMPTY_SHARED} ${SHARED_DDL}`)
      for (let i = 0; i < 3; i++) this.readers.push(await this.instance.connect())
      this.loadCatalog()
      for (const name of readdirSync(this.partsDir).sort()) {
        const m = /^(\d{4}-\d{2}-\d{2})\.duckdb$/.exec(name)
        if (m) await this.attach(m[1]!)
      }
      let maxSeg = 0
      for (const p of this.partitions.values()) {
        const r = await this.writer.runAndReadAll(`SELECT max(seg) AS m FROM ${p.alias}.applied`)
        const m = r.getRowObjects()[0]?.m
        if (typeof m === 'bigint' && Number(m) > maxSeg) maxSeg = Number(m)
      }
      this.wal = new Wal(join(this.dir, 'wal'), {
        minSegmentNo: maxSeg,
        segmentMaxBytes: this.opts.segmentMaxBytes ?? 32 * 1024 * 1024,
        segmentMaxAgeMs: this.opts.segmentMaxAgeMs ?? 1000,
        onSealed: (seg) => this.enqueue(seg),
      })
      const replay = await this.wal.open()
      for (const seg of replay) await this.apply(seg, true)
      if (replay.length > 0) {
        this.log.info(`replayed ${replay.length} write-ahead log segment(s) into the store`)
        for (const p of this.partitions.values()) await this.recount(p)
      }
      let max = -1
      for (const p of this.partitions.values()) {
        const r = await this.writer.runAndReadAll(`SELECT max(seq) AS m FROM ${p.alias}.logs`)
        const m = r.getRowObjects()[0]?.m
        if (typeof m === 'bigint' && Number(m) > max) max = Number(m)
      }
      this.nextSeq = max + 1
      this.appliedSeq = max
    } catch (e) {
      this.lock.release()
      throw e
    }
  }

  // ---- catalog ----

  private loadCatalog(): void {
    if (!existsSync(this.catalogPath)) return
    for (const line of readFileSync(this.catalogPath, 'utf8').split('\n')) {
      if (!line) continue
      try {
        this.catalog.add(JSON.parse(line) as CatalogEntry)
      } catch {
        // a torn last line after a crash: the entry is re-learned from the next record that has it
      }
    }
  }

  private learn(found: CatalogEntry[]): void {
    let text = ''
    for (const e of found) {
      if (this.catalog.has(e)) continue
      this.catalog.add(e)
      text += JSON.stringify(e) + '\n'
    }
    if (text) appendFileSync(this.catalogPath, text)
  }

  // ---- partitions ----

  private async attach(day: string): Promise<Partition> {
    const existing = this.partitions.get(day)
    if (existing) return existing
    const alias = `p${day.replaceAll('-', '')}`
    const path = join(this.partsDir, `${day}.duckdb`)
    await this.writer.run(`ATTACH ${sqlString(path)} AS ${alias} ${PARTITION_ATTACH_OPTIONS}`)
    await this.writer.run(`CREATE TABLE IF NOT EXISTS ${alias}.logs ${TABLE_DDL}`)
    // A partition written before rows referenced shared parts: its rows keep their whole rest, and
    // are read as rows without one (kid NULL); new rows of that day can reference them.
    await this.writer.run(`ALTER TABLE ${alias}.logs ADD COLUMN IF NOT EXISTS kid VARCHAR`)
    await this.writer.run(`CREATE TABLE IF NOT EXISTS ${alias}.shared ${SHARED_DDL}`)
    await this.writer.run(`CREATE TABLE IF NOT EXISTS ${alias}.applied (seg BIGINT NOT NULL)`)
    const p: Partition = { day, alias, path, rows: 0, byIndex: new Map(), sharedIds: new Set() }
    await this.recount(p)
    await this.loadSharedIds(p)
    this.partitions.set(day, p)
    return p
  }

  private async recount(p: Partition): Promise<void> {
    const r = await this.writer.runAndReadAll(`SELECT idx, count(*) AS n FROM ${p.alias}.logs GROUP BY idx`)
    p.byIndex = new Map()
    p.rows = 0
    for (const row of r.getRowObjects()) {
      const n = Number(row.n as bigint)
      p.byIndex.set(row.idx as string, n)
      p.rows += n
    }
  }

  private async loadSharedIds(p: Partition): Promise<void> {
    const r = await this.writer.runAndReadAll(`SELECT id FROM ${p.alias}.shared`)
    p.sharedIds = new Set(r.getRowObjects().map((row) => row.id as string))
  }

  /** Partitions sorted by day. */
  listPartitions(): Partition[] {
    return [...this.partitions.values()].sort((a, b) => (a.day < b.day ? -1 : 1))
  }

  partitionBytes(p: Partition): number {
    let n = 0
    for (const f of [p.path, `${p.path}.wal`]) {
      try {
        n += statSync(f).size
      } catch {
        // no WAL file right after a checkpoint
      }
    }
    return n
  }

  /** Bytes used by partitions and the write-ahead log. */
  bytesOnDisk(): number {
    let n = 0
    for (const p of this.partitions.values()) n += this.partitionBytes(p)
    try {
      for (const f of readdirSync(this.wal.dir)) n += statSync(join(this.wal.dir, f)).size
    } catch {
      // directory being rotated
    }
    return n
  }

  recordsTotal(): number {
    let n = 0
    for (const p of this.partitions.values()) n += p.rows
    return n
  }

  /**
   * The FROM source for a time range: the union of the day tables it touches (an empty table when
   * none). Aliases are generated from day strings, never from user input.
   */
  source(fromUs: number, toUs: number): string {
    const parts: string[] = []
    for (const p of this.listPartitions()) {
      const start = Date.parse(`${p.day}T00:00:00Z`) * 1000
      if (start + DAY_MICROS <= fromUs || start >= toUs) continue
      parts.push(`SELECT * FROM ${p.alias}.logs`)
    }
    if (parts.length === 0) return EMPTY
    if (parts.length === 1) return parts[0]!.slice('SELECT * FROM '.length)
    return `(${parts.join(' UNION ALL ')})`
  }

  /**
   * The FROM source of the shared parts (row.ts SharedPart) of a time range's day tables: rows
   * (id, rest). One id can be in several days (same text, same id), so a join on it needs DISTINCT.
   */
  sharedSource(fromUs: number, toUs: number): string {
    const parts: string[] = []
    for (const p of this.listPartitions()) {
      const start = Date.parse(`${p.day}T00:00:00Z`) * 1000
      if (start + DAY_MICROS <= fromUs || start >= toUs) continue
      parts.push(`SELECT id, rest FROM ${p.alias}.shared`)
    }
    if (parts.length === 0) return EMPTY_SHARED
    if (parts.length === 1) return `${parts[0]!.slice('SELECT id, rest FROM '.length)}`
    return `(${parts.join(' UNION ALL ')})`
  }

  /** The texts of shared parts by id, for rows read back (a hit's rest is its own and its part's). */
  async sharedTexts(ids: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    const missing: string[] = []
    for (const id of ids) {
      const t = this.sharedCache.get(id)
      if (t !== undefined) out.set(id, t)
      else if (!out.has(id)) missing.push(id)
    }
    if (missing.length === 0) return out
    const src = this.sharedSource(0, Number.MAX_SAFE_INTEGER)
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500)
      const rows = await this.query(
        `SELECT id, any_value(rest) AS rest FROM ${src} WHERE id IN (${chunk.map(() => '?').join(', ')}) GROUP BY id`,
        chunk,
      )
      // An id's text never changes (it is the text's hash): cached, bounded.
      if (this.sharedCache.size > 10_000) this.sharedCache.clear()
      for (const r of rows) {
        const id = r.id as string
        out.set(id, r.rest as string)
        this.sharedCache.set(id, r.rest as string)
      }
    }
    return out
  }

  /** Deletes a whole day partition (retention). */
  async dropPartition(day: string): Promise<void> {
    await this.exclusive(async () => {
      const p = this.partitions.get(day)
      if (!p) return
      this.partitions.delete(day)
      await this.writer.run(`DETACH ${p.alias}`)
      rmSync(p.path, { force: true })
      rmSync(`${p.path}.wal`, { force: true })
    })
  }

  /** Writes every partition's DuckDB WAL into its compressed file (bytes on disk then reflect storage). */
  async checkpoint(): Promise<void> {
    await this.exclusive(async () => {
      for (const p of this.partitions.values()) await this.writer.run(`CHECKPOINT ${p.alias}`)
    })
  }

  /** Serializes use of the writer connection (a transaction must not interleave with other statements). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writerChain.then(fn, fn)
    this.writerChain = run.catch(() => {})
    return run
  }

  // ---- ingest ----

  /**
   * Checks and splits one record. Returns an error reason (Elasticsearch's words where it has them)
   * when the record cannot be stored; never throws.
   */
  prepare(rec: IngestRecord, nowUs: number): PreparedRow | { error: string; type: string } {
    const { mask, timestamp } = analyze(rec.body)
    let tsUs = rec.tsUs
    if (tsUs === undefined) {
      if (timestamp !== undefined) {
        tsUs = timestampMicros(timestamp)
        if (tsUs === undefined)
          return {
            type: 'mapper_parsing_exception',
            error: `failed to parse field [@timestamp] of type [date]: cannot parse date [${String(timestamp)}]`,
          }
      } else tsUs = nowUs
    }
    if (!Number.isFinite(tsUs) || tsUs < 0 || tsUs >= 253402300800000000)
      return {
        type: 'mapper_parsing_exception',
        error: `failed to parse field [@timestamp] of type [date]: out of range`,
      }
    return { tsUs, index: rec.index, id: rec.id ?? null, mask, body: rec.body }
  }

  /**
   * Appends rows to the WAL; resolves with their sequence numbers once durable (fdatasync). Consumes
   * the rows: their `body` is dropped as soon as the WAL bytes are made, so the parsed documents are
   * garbage before the sync wait instead of surviving it into V8's old generation (measured: less GC
   * time). A BusyError is thrown before anything is consumed, so such rows can be committed again.
   */
  async commit(rows: readonly PreparedRow[], source: keyof IngestCounters['bySource']): Promise<number[]> {
    if (this.closed) throw new BusyError('the store is shutting down')
    if (this.queue.length > (this.opts.maxPendingSegments ?? 16))
      throw new BusyError(`the store is ${this.queue.length} segments behind ingest; retry later`)
    if (rows.length === 0) return []
    const found: CatalogEntry[] = []
    const counts = new Map<string, number>()
    let runDay = ''
    let runIndex = ''
    let run = 0
    let sorted = true
    let prevTs = Number.NEGATIVE_INFINITY
    const seqs: number[] = new Array(rows.length)
    const out = new WalWriter(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!
      const seq = this.nextSeq++
      seqs[i] = seq
      const body = r.body
      const enc = r.encoded
      if (body === null && enc === undefined) throw new Error('a prepared row can be committed only once')
      r.body = null
      r.encoded = undefined
      if (body !== null) this.paths.collect(body, r.mask, found)
      else {
        this.paths.collectShared(enc!.kubernetes, r.mask, found)
        if (enc!.restShape !== undefined) this.paths.collect(enc!.restShape, r.mask, found)
      }
      // fast path: consecutive rows mostly share day and index; the map is updated once per run
      const day = this.dayCache.of(r.tsUs)
      if (day !== runDay || r.index !== runIndex) {
        if (run > 0) addCount(counts, runDay, runIndex, run)
        runDay = day
        runIndex = r.index
        run = 0
      }
      run++
      if (r.tsUs < prevTs) sorted = false
      prevTs = r.tsUs
      if (body !== null) out.row(r.tsUs, seq, r.index, r.id, r.mask, body)
      else out.encodedRow(r.tsUs, seq, r.index, r.id, r.mask, enc!.kubernetes, enc!.bytes, enc!.start, enc!.end)
    }
    if (run > 0) addCount(counts, runDay, runIndex, run)
    this.learn(found)
    const order = { firstTs: rows[0]!.tsUs, lastTs: prevTs, sorted }
    try {
      await this.wal.append(out.bytes(), rows.length, counts, seqs[rows.length - 1]!, order, out.shared)
    } finally {
      out.release()
    }
    this.ingest.records += rows.length
    this.ingest.bySource[source] += rows.length
    return seqs
  }

  /** Makes everything acknowledged so far searchable (Elasticsearch's `refresh=wait_for`). */
  async refresh(): Promise<void> {
    await this.wal.seal()
    const last = this.queue.at(-1)?.no
    if (last === undefined || last <= this.lastAppliedSegment) return
    await new Promise<void>((resolve) => this.appliedWaiters.push({ no: last, resolve }))
  }

  /** Field paths not learned because the catalog is full (keys that are data, not names). */
  catalogOverflow(): number {
    return this.paths.overflow
  }

  pendingSegments(): number {
    return this.queue.length
  }

  walStats(): { syncs: number; bytes: number } {
    return { syncs: this.wal.syncs, bytes: this.wal.syncedBytes }
  }

  private enqueue(seg: SealedSegment): void {
    this.queue.push(seg)
    if (!this.applying) this.applying = this.applyLoop()
  }

  private async applyLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const seg = this.queue[0]!
        let attempt = 0
        for (;;) {
          try {
            await this.exclusive(() => this.apply(seg, false))
            break
          } catch (e) {
            this.applyErrors++
            attempt++
            this.log.error(
              `cannot load WAL segment ${seg.path} into the store (attempt ${attempt}): ${(e as Error).message}`,
            )
            if (attempt >= 5) {
              // Kept on disk (never deleted) so an operator can inspect and re-feed it.
              this.droppedSegments++
              this.droppedRows += seg.rows
              const dest = join(this.dir, 'wal-failed')
              mkdirSync(dest, { recursive: true })
              renameSync(seg.path, join(dest, seg.path.split('/').at(-1)!))
              this.log.error(`moved WAL segment ${seg.path} to ${dest}: its ${seg.rows} rows are NOT searchable`)
              break
            }
            await new Promise((r) => setTimeout(r, 200 * attempt))
          }
        }
        this.queue.shift()
        this.lastAppliedSegment = seg.no
        this.appliedWaiters = this.appliedWaiters.filter((w) => {
          if (w.no > seg.no) return true
          w.resolve()
          return false
        })
      }
    } finally {
      this.applying = null
    }
  }

  /**
   * Loads one sealed segment into its day partitions, then deletes it. Idempotent (replay).
   *
   * DuckDB runs the load on one thread: measured on the 2-core machine under ingest, the same load cost
   * 6.3–6.9 µs/row of CPU with one thread against 10.4–10.6 with two (parallel CSV scan, sort and insert
   * synchronizing while the JavaScript thread is busy too). The load runs in the background, so its wall
   * time matters less than the CPU it takes from ingest. `threads` is instance-wide in DuckDB: a query
   * that runs during a load gets one thread until the load ends.
   */
  private async apply(seg: SealedSegment, replay: boolean): Promise<void> {
    const threads = this.opts.threads ?? availableParallelism()
    if (threads <= 1) return this.load(seg, replay)
    await this.writer.run('SET threads = 1')
    try {
      await this.load(seg, replay)
    } finally {
      await this.writer.run(`SET threads = ${threads}`)
    }
  }

  private async load(seg: SealedSegment, replay: boolean): Promise<void> {
    const src = segmentSource(seg)
    let days: Map<string, Map<string, number>>
    if (seg.counts) {
      days = new Map()
      for (const [k, n] of seg.counts) {
        const [day, idx] = k.split('\t') as [string, string]
        let m = days.get(day)
        if (!m) days.set(day, (m = new Map()))
        m.set(idx, n)
      }
    } else {
      if (seg.bytes === 0) {
        await unlink(seg.path).catch(() => {})
        return
      }
      const r = await this.writer.runAndReadAll(`SELECT DISTINCT ts // ${DAY_MICROS} AS d FROM ${src}`)
      days = new Map(r.getRowObjects().map((row) => [dayOf(Number(row.d as bigint) * DAY_MICROS), new Map()]))
    }
    let maxSeq = -1
    for (const [day, byIndex] of [...days].sort()) {
      const p = await this.attach(day)
      const start = Date.parse(`${day}T00:00:00Z`) * 1000
      if (replay) {
        const done = await this.writer.runAndReadAll(`SELECT 1 FROM ${p.alias}.applied WHERE seg = ?`, [seg.no])
        if (done.currentRowCount > 0) continue
      }
      let inserted = 0
      const newShared = seg.shared ? [...seg.shared].filter(([id]) => !p.sharedIds.has(id)) : []
      await this.writer.run('BEGIN TRANSACTION')
      try {
        // The shared parts the segment's rows reference (row.ts SharedPart), each once per day: a
        // live segment's from the WAL's memory (no second scan of the segment), a replayed one's from
        // its `kr` fields (a part's text is in every segment that references it). All of the
        // segment's parts go to each of its days (a part's rows can span midnight); a part a day does
        // not reference costs a row in its small table, nothing else.
        for (let i = 0; i < newShared.length; i += 500) {
          const chunk = newShared.slice(i, i + 500)
          await this.writer.run(
            `INSERT INTO ${p.alias}.shared VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
            chunk.flatMap(([id, text]) => [id, text]),
          )
        }
        if (!seg.shared && seg.format === 'csv2')
          await this.writer.run(
            `INSERT INTO ${p.alias}.shared SELECT kid, any_value(kr) FROM ${src}
             WHERE kr IS NOT NULL AND kid NOT IN (SELECT id FROM ${p.alias}.shared) GROUP BY kid`,
          )
        // `rest` is JSON text made by JSON.stringify (made well-formed, row.ts): stored as VARCHAR
        // without a validating cast; the JSON functions read VARCHAR. A segment the WAL knows to be in
        // (ts, seq) order already (one sender in time order) is loaded without the sort (measured: the
        // sort is ≈1.6 of 6.5 µs/row of the load); with interleaved senders it is sorted here.
        const r = await this.writer.run(
          `INSERT INTO ${p.alias}.logs
           SELECT make_timestamp(ts), seq, idx, ns, pod, ctr, host, stream, level, msg, k, time, id, r, kid
           FROM ${src} WHERE ts >= ${start} AND ts < ${start + DAY_MICROS} AND seq IS NOT NULL
           ${seg.sorted ? '' : 'ORDER BY ts, seq'}`,
        )
        inserted = Number(r.rowsChanged)
        await this.writer.run(`INSERT INTO ${p.alias}.applied VALUES (${seg.no})`)
        await this.writer.run('COMMIT')
      } catch (e) {
        await this.writer.run('ROLLBACK').catch(() => {})
        throw e
      }
      if (seg.shared) for (const [id] of newShared) p.sharedIds.add(id)
      else await this.loadSharedIds(p)
      let expected = 0
      for (const n of byIndex.values()) expected += n
      if (!replay && inserted !== expected) {
        this.rejectedRows += expected - inserted
        this.log.error(
          `WAL segment ${seg.path}: ${expected - inserted} of ${expected} rows for ${day} were rejected by the store's JSON reader and are NOT stored`,
        )
        await this.recount(p)
        continue
      }
      if (replay) continue
      for (const [idx, n] of byIndex) {
        p.byIndex.set(idx, (p.byIndex.get(idx) ?? 0) + n)
        p.rows += n
      }
    }
    // The WAL knows the segment's last sequence number: no second read of the file for it.
    if (!replay) maxSeq = seg.maxSeq ?? -1
    await unlink(seg.path).catch(() => {})
    if (maxSeq > this.appliedSeq) {
      this.appliedSeq = maxSeq
      this.events.emit('applied', maxSeq)
    }
  }

  /** Deletes documents by client id (an `index` bulk action replacing one). */
  async deleteDocs(items: ReadonlyArray<{ index: string; id: string }>): Promise<number> {
    this.deleter ??= await this.instance.connect()
    let total = 0
    for (const p of this.partitions.values()) {
      for (let i = 0; i < items.length; i += 500) {
        const chunk = items.slice(i, i + 500)
        const params = chunk.flatMap((it) => [it.index, it.id])
        const r = await this.deleter.run(
          `DELETE FROM ${p.alias}.logs WHERE id IS NOT NULL AND (${chunk.map(() => '(idx = ? AND id = ?)').join(' OR ')})`,
          params,
        )
        const n = Number(r.rowsChanged)
        if (n === 0) continue
        total += n
        for (const it of chunk) {
          const c = p.byIndex.get(it.index)
          if (c !== undefined) p.byIndex.set(it.index, Math.max(0, c - 1))
        }
        p.rows = Math.max(0, p.rows - n)
      }
    }
    return total
  }

  /**
   * Deletes rows by sequence number: a document that a later `index` action of the same bulk request
   * replaced (both were written, in order; the earlier one must not stay visible).
   */
  async deleteSeqs(seqs: readonly number[]): Promise<number> {
    if (seqs.length === 0) return 0
    this.deleter ??= await this.instance.connect()
    let total = 0
    for (const p of this.partitions.values()) {
      for (let i = 0; i < seqs.length; i += 500) {
        const chunk = seqs.slice(i, i + 500)
        const r = await this.deleter.runAndReadAll(
          `DELETE FROM ${p.alias}.logs WHERE seq IN (${chunk.map(() => '?').join(', ')}) RETURNING idx`,
          chunk.map((n) => BigInt(n)),
        )
        for (const row of r.getRowObjects()) {
          const idx = row.idx as string
          p.byIndex.set(idx, Math.max(0, (p.byIndex.get(idx) ?? 1) - 1))
          p.rows = Math.max(0, p.rows - 1)
          total++
        }
      }
    }
    return total
  }

  // ---- queries ----

  private async reader(): Promise<DuckDBConnection> {
    const c = this.readers.pop()
    if (c) return c
    return new Promise((resolve) => this.readerWaiters.push(resolve))
  }

  private release(c: DuckDBConnection): void {
    const w = this.readerWaiters.shift()
    if (w) w(c)
    else this.readers.push(c)
  }

  /** Runs a read-only query with bound parameters; rows as objects (BIGINT as bigint). */
  async query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const c = await this.reader()
    try {
      const r = await c.runAndReadAll(sql, params as DuckDBValue[])
      return r.getRowObjects() as Record<string, unknown>[]
    } finally {
      this.release(c)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.wal.close()
    while (this.applying) await this.applying
    for (const p of this.partitions.values()) await this.writer.run(`CHECKPOINT ${p.alias}`).catch(() => {})
    for (const c of [this.writer, ...this.readers, ...(this.deleter ? [this.deleter] : [])]) c.closeSync()
    this.instance.closeSync()
    this.lock?.release()
  }
}

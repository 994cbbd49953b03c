// Durable file offsets in SQLite (Node's built-in node:sqlite), in a table shaped like Fluent Bit's
// `in_tail_files` (fluent-bit/plugins/in_tail/tail_sql.h) plus the fingerprint columns, so that a
// Fluent Bit database can be pointed at unchanged: its rows have no fingerprint and match on inode
// (and name with DB.compare_filename) alone, then gain a fingerprint at their next commit.
//
// The offset stored is the *committed* one: everything before it was delivered (see commit-tracker.ts).

import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface DbOptions {
  readonly sync: 'extra' | 'full' | 'normal' | 'off'
  readonly locking: boolean
  readonly journalMode: string
}

export interface FileRow {
  readonly id: number
  readonly name: string
  readonly offset: number
  readonly inode: number
  readonly fpLen: number | null
  readonly fpHash: string | null
}

export class OffsetDb {
  readonly path: string
  private readonly db: DatabaseSync
  private byInode!: StatementSync
  private insert!: StatementSync
  private setOffset!: StatementSync
  private setFingerprint!: StatementSync
  private setName!: StatementSync
  private remove!: StatementSync
  private closed = false

  /** Called when a write fails (the next commit of the file writes a later offset anyway). */
  onError: (message: string) => void = () => {}

  constructor(path: string, opts: DbOptions) {
    this.path = path
    try {
      // node:sqlite loads only for a tail input with DB set (it is experimental and warns when loaded)
      this.db = new (process.getBuiltinModule('node:sqlite').DatabaseSync)(path)
      this.setup(opts)
    } catch (err) {
      throw new Error(`cannot open tail database '${path}': ${(err as Error).message}`)
    }
  }

  private setup(opts: DbOptions): void {
    const db = this.db
    // Wait briefly for another process's lock; a commit that still fails is retried by the next one.
    db.exec('PRAGMA busy_timeout = 100')
    db.exec(`PRAGMA synchronous = ${opts.sync.toUpperCase()}`)
    db.exec(`PRAGMA journal_mode = ${opts.journalMode.toUpperCase()}`)
    if (opts.locking) db.exec('PRAGMA locking_mode = EXCLUSIVE')
    db.exec(`CREATE TABLE IF NOT EXISTS in_tail_files (
      id      INTEGER PRIMARY KEY,
      name    TEXT NOT NULL,
      offset  INTEGER,
      inode   INTEGER,
      created INTEGER,
      rotated INTEGER DEFAULT 0
    )`)
    const cols = new Set(
      (db.prepare('PRAGMA table_info(in_tail_files)').all() as { name: string }[]).map((c) => c.name),
    )
    if (!cols.has('fp_len')) db.exec('ALTER TABLE in_tail_files ADD COLUMN fp_len INTEGER')
    if (!cols.has('fp_hash')) db.exec('ALTER TABLE in_tail_files ADD COLUMN fp_hash TEXT')
    this.byInode = db.prepare(
      'SELECT id, name, offset, inode, fp_len AS fpLen, fp_hash AS fpHash FROM in_tail_files WHERE inode = ? ORDER BY id DESC',
    )
    this.insert = db.prepare(
      'INSERT INTO in_tail_files (name, offset, inode, created, fp_len, fp_hash) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.setOffset = db.prepare('UPDATE in_tail_files SET offset = ? WHERE id = ?')
    this.setFingerprint = db.prepare('UPDATE in_tail_files SET fp_len = ?, fp_hash = ? WHERE id = ?')
    this.setName = db.prepare('UPDATE in_tail_files SET name = ?, rotated = ? WHERE id = ?')
    this.remove = db.prepare('DELETE FROM in_tail_files WHERE id = ?')
  }

  /** Rows for an inode, newest first. */
  rowsForInode(inode: number): FileRow[] {
    return this.byInode.all(inode) as unknown as FileRow[]
  }

  add(name: string, offset: number, inode: number, fpLen: number, fpHash: string): number {
    const r = this.insert.run(name, offset, inode, Math.floor(Date.now() / 1000), fpLen, fpHash)
    return Number(r.lastInsertRowid)
  }

  commit(id: number, offset: number): void {
    this.write(`commit offset ${offset} of entry ${id}`, () => this.setOffset.run(offset, id))
  }

  fingerprint(id: number, fpLen: number, fpHash: string): void {
    this.write(`save the fingerprint of entry ${id}`, () => this.setFingerprint.run(fpLen, fpHash, id))
  }

  rename(id: number, name: string, rotated: boolean): void {
    this.write(`rename entry ${id}`, () => this.setName.run(name, rotated ? 1 : 0, id))
  }

  delete(id: number): void {
    this.write(`delete entry ${id}`, () => this.remove.run(id))
  }

  /** Writes never throw into the caller (acknowledgements arrive from the engine's delivery path). */
  private write(what: string, run: () => unknown): void {
    if (this.closed) return
    try {
      run()
    } catch (err) {
      this.onError(`cannot ${what} in ${this.path}: ${(err as Error).message}`)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }
}

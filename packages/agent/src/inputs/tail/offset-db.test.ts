import assert from 'node:assert/strict'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { test } from 'node:test'
import { OffsetDb } from './offset-db.ts'
import { tempDir } from './test-kit.ts'

const opts = { sync: 'normal', locking: false, journalMode: 'WAL' } as const

test('rows are found by inode, newest first; commits, fingerprints, renames and deletes persist', async () => {
  const { dir, cleanup } = await tempDir()
  try {
    const path = join(dir, 't.db')
    const db = new OffsetDb(path, opts)
    const a = db.add('/a.log', 0, 42, 3, 'h1')
    const b = db.add('/b.log', 7, 42, 0, 'h0')
    db.commit(a, 100)
    db.fingerprint(a, 10, 'h2')
    db.rename(b, '/b.log.1', true)
    assert.deepEqual(
      db.rowsForInode(42).map((r) => [r.name, r.offset, r.fpLen, r.fpHash]),
      [
        ['/b.log.1', 7, 0, 'h0'],
        ['/a.log', 100, 10, 'h2'],
      ],
    )
    db.delete(b)
    db.close()
    const again = new OffsetDb(path, opts)
    assert.deepEqual(
      again.rowsForInode(42).map((r) => r.offset),
      [100],
    )
    again.close()
  } finally {
    await cleanup()
  }
})

test('a Fluent Bit database (no fingerprint columns) is upgraded in place', async () => {
  const { dir, cleanup } = await tempDir()
  try {
    const path = join(dir, 'flb_kube.db')
    const flb = new DatabaseSync(path)
    flb.exec(`CREATE TABLE in_tail_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, offset INTEGER,
      inode INTEGER, created INTEGER, rotated INTEGER DEFAULT 0)`)
    flb.exec(
      `INSERT INTO in_tail_files (name, offset, inode, created) VALUES ('/var/log/containers/x.log', 1234, 77, 0)`,
    )
    flb.close()
    const db = new OffsetDb(path, opts)
    const [row] = db.rowsForInode(77)
    assert.equal(row!.offset, 1234)
    assert.equal(row!.fpHash, null)
    db.close()
  } finally {
    await cleanup()
  }
})

test('a failing write (database locked by another process) is reported, never thrown', async () => {
  const { dir, cleanup } = await tempDir()
  try {
    const path = join(dir, 't.db')
    const db = new OffsetDb(path, opts)
    const id = db.add('/a.log', 0, 1, 0, 'h')
    const errors: string[] = []
    db.onError = (m) => errors.push(m)
    const other = new DatabaseSync(path)
    other.exec('BEGIN EXCLUSIVE')
    db.commit(id, 50)
    other.exec('ROLLBACK')
    other.close()
    assert.equal(errors.length, 1)
    assert.match(errors[0]!, /cannot commit offset 50 of entry \d+ in .*t\.db: .*locked/)
    db.commit(id, 60)
    assert.equal(db.rowsForInode(1)[0]!.offset, 60)
    db.close()
  } finally {
    await cleanup()
  }
})

test('an unusable database path is a precise error at start', () => {
  assert.throws(
    () => new OffsetDb('/nonexistent-dir/x/t.db', opts),
    /cannot open tail database '\/nonexistent-dir\/x\/t\.db'/,
  )
})

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { generateBatch } from './batch.ts'
import { Workload } from './workload.ts'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluice-gen-'))
  dirs.push(d)
  return d
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

// The CRI logging format (kubelet/CRI spec): RFC3339Nano time, stream, P|F tag, content.
const CRI = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (P|F) /
// Fluent Bit's kubernetes filter default file-name regex (kube tag): <pod>_<namespace>_<container>-<64 hex>.log
const NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_([^_]+)_(.+)-([a-z0-9]{64})\.log$/

function digest(root: string): string {
  const h = createHash('sha256')
  const base = join(root, 'var', 'log', 'containers')
  for (const name of readdirSync(base).sort()) h.update(name).update(readFileSync(join(base, name)))
  return h.digest('hex')
}

describe('workload generator', () => {
  test('same seed, same bytes; another seed, other bytes', () => {
    const opts = { lines: 5000, startMs: Date.UTC(2026, 10, 22), spanMs: 60_000 }
    const a = tmp()
    const b = tmp()
    const c = tmp()
    generateBatch({ root: a, seed: 7, ...opts })
    generateBatch({ root: b, seed: 7, ...opts })
    generateBatch({ root: c, seed: 8, ...opts })
    assert.equal(digest(a), digest(b))
    assert.notEqual(digest(a), digest(c))
  })

  test('node layout: containers symlinks named as kubelet names them, pointing into var/log/pods', () => {
    const root = tmp()
    const r = generateBatch({ root, seed: 1, lines: 2000 })
    assert.ok(r.files.length >= 7)
    for (const link of r.files) {
      const name = link.slice(link.lastIndexOf('/') + 1)
      const m = NAME.exec(name)
      assert.ok(m, `file name ${name} matches the kubernetes filter's pattern`)
      const target = readlinkSync(link)
      assert.match(target, new RegExp(`/var/log/pods/${m[5]}_${m[1]}_[0-9a-f-]{36}/${m[6]}/0\\.log$`))
    }
  })

  test('every line is a valid CRI line; long lines are split into P chunks ending in F', () => {
    const root = tmp()
    const r = generateBatch({ root, seed: 3, lines: 30_000 })
    let lines = 0
    let partial = 0
    let sawProbe = false
    let sawTrace = false
    for (const f of r.files) {
      const text = readFileSync(f, 'utf8')
      assert.ok(text.endsWith('\n'))
      const ls = text.slice(0, -1).split('\n')
      for (let i = 0; i < ls.length; i++) {
        const l = ls[i]!
        const m = CRI.exec(l)
        assert.ok(m, `CRI line: ${l.slice(0, 80)}`)
        if (m[2] === 'P') {
          partial++
          assert.equal(Buffer.byteLength(l.slice(m[0].length)), 16 * 1024)
          const next = CRI.exec(ls[i + 1] ?? '')
          assert.ok(next && next[1] === m[1], 'a partial chunk is followed by its continuation on the same stream')
        }
        if (l.includes('kube-probe/')) sawProbe = true
        if (l.includes('\tat com.example')) sawTrace = true
      }
      lines += ls.length
    }
    assert.equal(lines, r.stats.lines)
    assert.equal(partial, r.stats.partial)
    assert.ok(partial > 0, 'some partial lines')
    assert.ok(sawProbe && sawTrace, 'health probes and stack traces present')
  })

  test('rotation renames 0.log like kubelet and keeps a bounded number of rotated files', () => {
    const root = tmp()
    const w = new Workload({ root, seed: 2, rotateBytes: 64 * 1024, keepRotated: 2 })
    for (let i = 0; i < 20; i++) {
      w.writeEvents(500, Date.now(), Date.now() + 1000)
      w.flush()
    }
    assert.ok(w.stats.rotations > 0)
    for (const l of w.logs) {
      const names = readdirSync(l.dir)
      assert.ok(names.includes('0.log'))
      assert.ok(names.filter((n) => n.startsWith('0.log.')).length <= 2)
    }
    w.close()
  })

  test('pods come and go: a deleted pod loses its directory and symlink', () => {
    const root = tmp()
    const w = new Workload({ root, seed: 4 })
    const before = w.logs.length
    const old = w.churn()
    assert.ok(old)
    assert.equal(w.logs.length, before + 1)
    const oldLinks = w.logs.filter((l) => l.pod === old).map((l) => l.link)
    w.deletePod(old)
    for (const link of oldLinks) assert.equal(existsSync(link), false)
    assert.equal(w.logs.length, before)
    w.close()
  })
})

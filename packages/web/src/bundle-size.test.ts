import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { bundleSize } from './bundle-size.ts'

test('bundleSize: raw and gzip bytes of every file, largest first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-web-size-'))
  try {
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html>')
    writeFileSync(join(dir, 'assets', 'a.js'), 'x'.repeat(10_000))
    const r = bundleSize(dir)
    assert.equal(r.bytes, 10_015)
    assert.deepEqual(
      r.files.map((f) => f.path),
      [join('assets', 'a.js'), 'index.html'],
    )
    assert.ok(r.files[0]!.gzipBytes < 200, 'repetitive text compresses')
    assert.equal(
      r.gzipBytes,
      r.files.reduce((s, f) => s + f.gzipBytes, 0),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('bundleSize: a missing dist says to build first', () => {
  assert.throws(() => bundleSize('/nonexistent/sluice-dist'), /cannot measure bundle: .* run the web build first/)
})

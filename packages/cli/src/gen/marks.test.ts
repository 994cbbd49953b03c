// markLines and rotateMode, the options the chaos suite relies on: every CRI line carries one unique
// marker (JSON lines stay valid JSON), and copytruncate keeps the inode while the copy holds the lines.

import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Workload } from './workload.ts'

async function allLines(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.push(...(await readFile(join(e.parentPath, e.name), 'utf8')).split('\n').filter(Boolean))
  return out
}

test('markLines: markers 1..lastMark, each on exactly one line, JSON content still parses', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-gen-marks-'))
  try {
    const w = new Workload({ root, seed: 4, markLines: true })
    w.writeEvents(2000, Date.now() - 1000, Date.now())
    w.close()
    const seen = new Map<number, number>()
    for (const line of await allLines(join(root, 'var/log/pods'))) {
      const content = line.split(' ').slice(3).join(' ')
      if (content.startsWith('{') && line.split(' ')[2] === 'F') assert.doesNotThrow(() => JSON.parse(content), content)
      for (const m of content.matchAll(/(?:"mark":|\bmark=)(\d+)/g))
        seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1)
    }
    assert.ok(w.lastMark >= 2000)
    assert.equal(seen.size, w.lastMark)
    for (let i = 1; i <= w.lastMark; i++) assert.equal(seen.get(i), 1, `marker ${i}`)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('rotateMode copytruncate: 0.log keeps its inode, the copy holds the rotated lines', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-gen-ct-'))
  try {
    const w = new Workload({
      root,
      seed: 4,
      markLines: true,
      rotateBytes: 4096,
      rotateMode: 'copytruncate',
      keepRotated: 1000,
    })
    const inodes = await Promise.all(w.logs.map((l) => stat(l.file).then((s) => s.ino)))
    w.writeEvents(3000, Date.now() - 1000, Date.now())
    w.close()
    assert.ok(w.stats.rotations > 0)
    assert.deepEqual(await Promise.all(w.logs.map((l) => stat(l.file).then((s) => s.ino))), inodes)
    const marks = new Set<number>()
    for (const line of await allLines(join(root, 'var/log/pods')))
      for (const m of line.matchAll(/(?:"mark":|\bmark=)(\d+)/g)) marks.add(Number(m[1]))
    assert.equal(marks.size, w.lastMark)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

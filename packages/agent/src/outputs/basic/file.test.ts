import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { startOutput } from '../../testing/plugin-harness.ts'
import file from './file.ts'

describe('file output', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-file-out-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const e = (n: number) => ({ sec: 1795332600 + n, nsec: 0, body: { n } })

  it('appends each batch to Path/File', async () => {
    const h = await startOutput(file, { path: dir, file: 'out.log', format: 'plain' })
    assert.deepEqual(await h.flush([e(1), e(2)], 'kube.a'), { kind: 'ok' })
    assert.deepEqual(await h.flush([e(3)], 'kube.a'), { kind: 'ok' })
    assert.equal(await readFile(join(dir, 'out.log'), 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n')
    await h.stop()
  })

  it('names the file after the tag when File is not set', async () => {
    const h = await startOutput(file, { path: dir })
    await h.flush([e(1)], 'kube.b')
    assert.equal(await readFile(join(dir, 'kube.b'), 'utf8'), 'kube.b: [1795332601.000000000, {"n":1}]\n')
    await h.stop()
  })

  it('creates the directory with Mkdir, and refuses for good without it', async () => {
    const sub = join(dir, 'a', 'b')
    const without = await startOutput(file, { path: sub, file: 'x' })
    const r = await without.flush([e(1)], 't')
    assert.equal(r.kind, 'error')
    assert.match((r as { reason: string }).reason, /cannot append to .*ENOENT/)
    const withMkdir = await startOutput(file, { path: sub, file: 'x', mkdir: 'on' })
    assert.deepEqual(await withMkdir.flush([e(1)], 't'), { kind: 'ok' })
    assert.equal(await readFile(join(sub, 'x'), 'utf8'), 't: [1795332601.000000000, {"n":1}]\n')
  })

  it('csv_column_names writes the header only to a new file', async () => {
    const h = await startOutput(file, { path: dir, file: 'c.csv', format: 'csv', csv_column_names: 'on' })
    await h.flush([e(1)], 't')
    await h.flush([e(2)], 't')
    assert.equal(
      await readFile(join(dir, 'c.csv'), 'utf8'),
      'timestamp,"n"\n1795332601.000000000,1\n1795332602.000000000,2\n',
    )
    await writeFile(join(dir, 'c2.csv'), 'existing\n')
    const h2 = await startOutput(file, { path: dir, file: 'c2.csv', format: 'csv', csv_column_names: 'on' })
    await h2.flush([e(1)], 't')
    assert.equal(await readFile(join(dir, 'c2.csv'), 'utf8'), 'existing\n1795332601.000000000,1\n')
  })

  it('rotates a file that reached max_size, gzips it and keeps max_files', async () => {
    const rdir = await mkdtemp(join(dir, 'rot-'))
    const h = await startOutput(file, {
      path: rdir,
      file: 'app.log',
      format: 'plain',
      files_rotation: 'on',
      max_size: '10',
      max_files: '2',
    })
    // Rotated names carry the second: make them differ by pre-creating older rotated files.
    await writeFile(join(rdir, 'app.log.20200101_000000.gz'), 'old1')
    await writeFile(join(rdir, 'app.log.20200102_000000.gz'), 'old2')
    await utimes(join(rdir, 'app.log.20200101_000000.gz'), 1, 1)
    await utimes(join(rdir, 'app.log.20200102_000000.gz'), 2, 2)
    await h.flush([e(1), e(2)], 't') // 16 bytes: over max_size
    await h.flush([e(3)], 't') // rotates first, then writes
    assert.equal(await readFile(join(rdir, 'app.log'), 'utf8'), '{"n":3}\n')
    const names = (await readdir(rdir)).sort()
    assert.equal(names.length, 3)
    assert.ok(!names.includes('app.log.20200101_000000.gz'), 'the oldest rotated file is removed')
    const rotated = names.find((n) => /^app\.log\.\d{8}_\d{6}\.gz$/.test(n) && !n.startsWith('app.log.2020'))
    assert.ok(rotated, names.join(','))
    assert.equal(gunzipSync(await readFile(join(rdir, rotated))).toString(), '{"n":1}\n{"n":2}\n')
  })

  it('rejects an unknown format at configuration time', async () => {
    await assert.rejects(startOutput(file, { format: 'yaml' }), /not one of/)
  })
})

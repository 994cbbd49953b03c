import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
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
    assert.equal(await readFile(join(dir, 'kube.b'), 'utf8'), 'kube.b: [1795332601.000000, {"n":1}]\n')
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
    assert.equal(await readFile(join(sub, 'x'), 'utf8'), 't: [1795332601.000000, {"n":1}]\n')
  })

  it('csv_column_names writes the header only to a new file', async () => {
    const h = await startOutput(file, { path: dir, file: 'c.csv', format: 'csv', csv_column_names: 'on' })
    await h.flush([e(1)], 't')
    await h.flush([e(2)], 't')
    assert.equal(await readFile(join(dir, 'c.csv'), 'utf8'), '"time","n"\n1795332601.000000,1\n1795332602.000000,2\n')
    await writeFile(join(dir, 'c2.csv'), 'existing\n')
    const h2 = await startOutput(file, { path: dir, file: 'c2.csv', format: 'csv', csv_column_names: 'on' })
    await h2.flush([e(1)], 't')
    assert.equal(await readFile(join(dir, 'c2.csv'), 'utf8'), 'existing\n1795332601.000000,1\n')
  })

  it('rejects an unknown format at configuration time', async () => {
    await assert.rejects(startOutput(file, { format: 'yaml' }), /not one of/)
  })
})

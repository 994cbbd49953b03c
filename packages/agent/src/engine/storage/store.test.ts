// Filesystem buffering on real files in a temp dir: chunks written before records go on, sealed,
// deleted once delivered; replayed after a restart; bad chunks quarantined; max_chunks_up bounding
// what is in memory; a full disk (a real 1 MB tmpfs) pausing the input until space returns.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createLogger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMetrics } from '../../metrics.ts'
import type { AckCallback } from '../../plugin.ts'
import { ackSpy, events, waitFor } from '../test-helpers.ts'
import { resolveTiming } from '../timing.ts'
import { decodeChunk, encodeHeader, encodeRecords, encodeTrailer } from './chunk-file.ts'
import { StorageManager, type StorageSettings } from './store.ts'

interface Batch {
  tag: string
  events: LogEvent[]
  ack: AckCallback
}

function setup(path: string, over: Partial<StorageSettings> = {}) {
  const lines: string[] = []
  const metrics = createMetrics()
  const m = new StorageManager(
    {
      path,
      sync: 'normal',
      checksum: true,
      maxChunksUp: 128,
      backlogMemLimit: 5 * 1024 * 1024,
      deleteIrrecoverable: false,
      metrics: true,
      flush: 1,
      ...over,
    },
    createLogger({ level: 'debug', write: (l) => lines.push(l) }, 'storage'),
    metrics,
    resolveTiming({ scale: 0.001 }),
  )
  const got: Batch[] = []
  const st = m.store('dummy.0', (tag, evs, ack) => got.push({ tag, events: evs, ack }), false, m.log)
  return { m, st, got, lines, metrics }
}

const chunkFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.chunk')).sort()

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-storage-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('records are in a chunk file before they go on; the sealed chunk is deleted once delivered', () =>
  withDir(async (dir) => {
    const { m, st, got } = setup(dir)
    const ack = ackSpy()
    st.emit('app', events(3), ack)
    assert.equal(got.length, 1)
    const files = await chunkFiles(join(dir, 'dummy.0'))
    assert.equal(files.length, 1)
    const dec = decodeChunk(await readFile(join(dir, 'dummy.0', files[0]!), 'utf8'))
    assert.equal(dec.tag, 'app')
    assert.deepEqual(
      dec.events.map((e) => e.body.n),
      [0, 1, 2],
    )
    // delivered, but the chunk is still open: it stays until sealed (the Flush tick)
    got[0]!.ack({ delivered: 3, rejected: 0 })
    assert.deepEqual(ack.calls, [{ delivered: 3, rejected: 0 }])
    await waitFor(() => st.chunks.size === 0, 'the delivered chunk to be deleted')
    assert.deepEqual(await chunkFiles(join(dir, 'dummy.0')), [])
    m.close()
  }))

test('chunks left by a previous run are replayed by tag and deleted once delivered', () =>
  withDir(async (dir) => {
    const a = setup(dir)
    a.st.emit('app.one', events(2))
    a.st.emit('app.two', events(3, 10))
    a.m.close() // the output never answered: both chunks stay
    assert.equal((await chunkFiles(join(dir, 'dummy.0'))).length, 2)

    const b = setup(dir)
    b.m.loadBacklog()
    const byTag = Object.fromEntries(b.got.map((x) => [x.tag, x.events.map((e) => e.body.n)]))
    assert.deepEqual(byTag, { 'app.one': [0, 1], 'app.two': [10, 11, 12] })
    assert.ok(b.lines.some((l) => l.includes('replaying 2 chunk(s) (5 records)')))
    for (const x of b.got) x.ack({ delivered: x.events.length, rejected: 0 })
    assert.deepEqual(await chunkFiles(join(dir, 'dummy.0')), [])
    b.m.close()
  }))

test('corrupted and truncated chunks are quarantined with one error line each, counted; good ones replayed', () =>
  withDir(async (dir) => {
    const d = join(dir, 'dummy.0')
    const { m, got, lines, metrics } = setup(dir)
    const good = encodeHeader('ok', true) + encodeRecords(events(2), true) + encodeTrailer(2)
    await writeFile(join(d, '00000000000001-000000001.chunk'), good)
    await writeFile(join(d, '00000000000001-000000002.chunk'), 'GARBAGE\n{}\n')
    const flipped = good.replace('"n":1', '"n":7')
    await writeFile(join(d, '00000000000001-000000003.chunk'), flipped)
    await writeFile(join(d, '00000000000001-000000004.chunk'), good.slice(0, good.length - 20))
    m.loadBacklog()
    assert.deepEqual(
      got.map((b) => b.tag),
      ['ok'],
    )
    const q = (await readdir(join(dir, 'quarantine'))).sort()
    assert.equal(q.length, 3)
    const errs = lines.filter((l) => l.includes('quarantined chunk'))
    assert.equal(errs.length, 3)
    assert.match(errs.find((l) => l.includes('000000002'))!, /bad magic/)
    assert.match(errs.find((l) => l.includes('000000003'))!, /line 3: CRC32 mismatch/)
    assert.match(errs.find((l) => l.includes('000000004'))!, /cut short|truncated/)
    assert.equal(metrics.counter('sluice_storage_quarantined_chunks_total', '').get(), 3)
    m.close()
  }))

test('storage.delete_irrecoverable_chunks deletes a bad chunk instead', () =>
  withDir(async (dir) => {
    const { m, lines } = setup(dir, { deleteIrrecoverable: true })
    await writeFile(join(dir, 'dummy.0', '00000000000001-000000001.chunk'), 'nope')
    m.loadBacklog()
    assert.deepEqual(await chunkFiles(join(dir, 'dummy.0')), [])
    assert.ok(lines.some((l) => /deleted irrecoverable chunk .*000000001\.chunk: bad magic/.test(l)))
    m.close()
  }))

test('storage.max_chunks_up bounds the chunks in memory; the rest waits on disk and comes up in order', () =>
  withDir(async (dir) => {
    const { m, st, got, metrics } = setup(dir, { maxChunksUp: 1 })
    const acks = [ackSpy(), ackSpy(), ackSpy()]
    st.emit('a', events(2), acks[0])
    st.emit('b', events(2, 100), acks[1])
    st.emit('c', events(2, 200), acks[2])
    assert.equal((await chunkFiles(join(dir, 'dummy.0'))).length, 3)
    assert.deepEqual(
      got.map((b) => b.tag),
      ['a'],
      'only one chunk is up',
    )
    assert.equal(metrics.gauge('fluentbit_storage_fs_chunks_down', '').get(), 2)
    got[0]!.ack({ delivered: 2, rejected: 0 })
    await waitFor(() => got.length === 2, 'chunk b to come up once a is done')
    assert.equal(got[1]!.tag, 'b')
    assert.deepEqual(
      got[1]!.events.map((e) => e.body.n),
      [100, 101],
    )
    got[1]!.ack({ delivered: 1, rejected: 1 })
    assert.deepEqual(acks[1]!.calls, [{ delivered: 1, rejected: 1 }], 'the held ack gets the chunk outcome')
    await waitFor(() => got.length === 3, 'chunk c to come up')
    m.close()
  }))

test('disk full (ENOSPC on a 1 MB tmpfs): clear error, input paused, records kept, resumed when space returns', () =>
  withDir(async (dir) => {
    const mnt = join(dir, 'mnt')
    await import('node:fs/promises').then((f) => f.mkdir(mnt))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt])
    try {
      const { m, st, got, lines } = setup(join(mnt, 'buf'))
      // fill the disk, leaving a few KB
      const filler = join(mnt, 'filler')
      await writeFile(filler, Buffer.alloc(1024 * 1024 - 12 * 1024))
      const big = (from: number) => events(20, from, { pad: 'x'.repeat(1000) })
      const acks: ReturnType<typeof ackSpy>[] = []
      let i = 0
      while (!st.paused && i < 50) {
        const a = ackSpy()
        acks.push(a)
        st.emit('app', big(i * 20), a)
        i++
      }
      assert.ok(st.paused, 'the input is paused by the full disk')
      assert.ok(lines.some((l) => /no space left on device \(ENOSPC\); input paused/.test(l)))
      const passedBefore = got.reduce((s, b) => s + b.events.length, 0)
      assert.ok(passedBefore < i * 20, 'held records did not go on before they were written')
      await rm(filler)
      await waitFor(() => !st.paused, 'the input to resume once space returns')
      assert.ok(lines.some((l) => l.includes('succeed again; input resumed')))
      const passed = got.flatMap((b) => b.events.map((e) => e.body.n))
      assert.deepEqual(
        passed,
        Array.from({ length: i * 20 }, (_, k) => k),
        'every record went on, in order',
      )
      m.close()
    } finally {
      execFileSync('umount', [mnt])
    }
  }))

test('storage.total_limit_size counts chunks on disk: the oldest are dropped, counted and logged', () =>
  withDir(async (dir) => {
    const { m, st, got, lines, metrics } = setup(dir, { maxChunksUp: 1 })
    const dropped = metrics.counter('fluentbit_output_dropped_records_total', '').labels({ name: 'http.0' })
    m.setOutputs([{ id: 'http.0', match: () => true, limit: 1500, queuedBytes: () => 0, dropped, log: m.log }])
    const acks = [ackSpy(), ackSpy(), ackSpy(), ackSpy()]
    const pad = 'y'.repeat(500)
    st.emit('a', events(1, 0, { pad }), acks[0]) // up
    st.emit('b', events(1, 1, { pad }), acks[1]) // down
    st.emit('c', events(1, 2, { pad }), acks[2]) // down
    st.emit('d', events(1, 3, { pad }), acks[3]) // down: b + c + d > 1500 bytes, b goes
    assert.deepEqual(acks[1]!.calls, [{ delivered: 0, rejected: 1 }])
    assert.equal(dropped.get(), 1)
    assert.ok(lines.some((l) => /dropped 1 records \(tag b\): storage.total_limit_size \(1500 bytes\) reached/.test(l)))
    assert.equal((await chunkFiles(join(dir, 'dummy.0'))).length, 3)
    got[0]!.ack({ delivered: 1, rejected: 0 })
    await waitFor(() => got.length === 2, 'the next chunk to come up')
    assert.equal(got[1]!.tag, 'c', 'b was dropped, c is next')
    m.close()
  }))

test('storage.pause_on_chunks_overlimit pauses the input at max_chunks_up and resumes when a chunk is done', () =>
  withDir(async (dir) => {
    const { m, got } = setup(dir, { maxChunksUp: 1 })
    const st = m.store('tail.0', (tag, evs, ack) => got.push({ tag, events: evs, ack }), true, m.log)
    assert.equal(st.paused, false)
    st.emit('a', events(2))
    assert.equal(st.paused, true)
    let resumed = false
    const w = st.whenResumed().then(() => (resumed = true))
    got[0]!.ack({ delivered: 2, rejected: 0 })
    await w
    assert.ok(resumed)
    assert.equal(st.paused, false)
    m.close()
  }))

test('storage.backlog.mem_limit: the backlog comes up a limited number of bytes at a time, in order', () =>
  withDir(async (dir) => {
    const a = setup(dir, { sync: 'full', checksum: false })
    const pad = 'z'.repeat(400)
    for (let t = 0; t < 4; t++) {
      a.st.emit(`t${t}`, events(2, t * 10, { pad }))
      // one chunk per tag; sealed at close
    }
    a.m.close()
    const b = setup(dir, { backlogMemLimit: 1500, checksum: false })
    b.m.loadBacklog()
    // each chunk is ~900 bytes: one at a time fits under 1500
    assert.equal(b.got.length, 1)
    assert.equal(b.got[0]!.tag, 't0')
    b.got[0]!.ack({ delivered: 2, rejected: 0 })
    assert.equal(b.got.length, 2)
    assert.equal(b.got[1]!.tag, 't1')
    b.got[1]!.ack({ delivered: 2, rejected: 0 })
    b.got[2]!.ack({ delivered: 2, rejected: 0 })
    b.got[3]!.ack({ delivered: 2, rejected: 0 })
    assert.deepEqual(
      b.got.map((x) => x.tag),
      ['t0', 't1', 't2', 't3'],
    )
    assert.deepEqual(await chunkFiles(join(dir, 'dummy.0')), [])
    b.m.close()
  }))

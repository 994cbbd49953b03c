import assert from 'node:assert/strict'
import { appendFile, mkdir, rename, symlink, truncate, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMultilineRegistry } from '../../multiline/index.ts'
import type { MultilineJoiner, MultilineRegistry } from '../../multiline/types.ts'
import type { Parser } from '../../parsers/types.ts'
import { type Fake, fakeContext, startTail, tempDir, waitFor } from './test-kit.ts'
import type { Tailer } from './tailer.ts'

let dir = ''
let cleanup: () => Promise<void> = async () => {}
const running: Tailer[] = []

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((t) => t.stop()))
  await cleanup()
})

async function run(entries: Record<string, string>, fake: Fake): Promise<Tailer> {
  const t = await startTail({ refresh_interval: '0.05', rotate_wait: '0.1', ...entries }, fake)
  running.push(t)
  return t
}

async function stop(t: Tailer): Promise<void> {
  running.splice(running.indexOf(t), 1)
  await t.stop()
}

describe('tail: reading', () => {
  test('read_from_head reads existing lines; one batch per chunk; kube.* expands to the path', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'one\ntwo\nthree\n')
    const fake = fakeContext({ tag: 'kube.*' })
    await run({ path: join(dir, '*.log'), read_from_head: 'on' }, fake)
    await waitFor('three lines', () => fake.lines().length === 3)
    assert.deepEqual(fake.lines(), ['one', 'two', 'three'])
    assert.equal(fake.batches.length, 1)
    assert.equal(fake.batches[0]!.tag, `kube.${file.slice(1).replaceAll('/', '.')}`)
    assert.equal(fake.metric('fluentbit_input_files_opened_total'), 1)
  })

  test('without read_from_head a file found at start is read from its end', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'old1\nold2\n')
    const fake = fakeContext()
    const t = await run({ path: file }, fake)
    await waitFor('file opened', () => t.files.size === 1)
    await appendFile(file, 'new1\n')
    await waitFor('new line', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['new1'])
  })

  test('a partial last line waits for its newline', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'a\nb')
    const fake = fakeContext()
    const t = await run({ path: file, read_from_head: 'on' }, fake)
    await waitFor('first line', () => fake.lines().length === 1)
    const seen = t.iterations
    await waitFor('two more passes of the loop', () => t.iterations >= seen + 2)
    assert.deepEqual(fake.lines(), ['a'])
    await appendFile(file, 'c\nd\n')
    await waitFor('rest', () => fake.lines().length === 3)
    assert.deepEqual(fake.lines(), ['a', 'bc', 'd'])
  })

  test('CRLF endings are stripped; skip_empty_lines drops empty lines', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'x\r\n\ny\n')
    const keep = fakeContext()
    await run({ path: file, read_from_head: 'on' }, keep)
    await waitFor('3 lines', () => keep.lines().length === 3)
    assert.deepEqual(keep.lines(), ['x', '', 'y'])
    const skip = fakeContext()
    await run({ path: file, read_from_head: 'on', skip_empty_lines: 'on' }, skip)
    await waitFor('2 lines', () => skip.lines().length === 2)
    assert.deepEqual(skip.lines(), ['x', 'y'])
  })

  test('key, path_key and offset_key shape the record', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'ab\ncde\n')
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on', key: 'message', path_key: 'file', offset_key: 'off' }, fake)
    await waitFor('2 lines', () => fake.lines('message').length === 2)
    const bodies = fake.batches.flatMap((b) => b.events.map((e) => e.body))
    assert.deepEqual(bodies, [
      { file, off: 0, message: 'ab' },
      { file, off: 3, message: 'cde' },
    ])
  })

  test('exclude_path leaves matching files out', async () => {
    await writeFile(join(dir, 'keep.log'), 'k\n')
    await writeFile(join(dir, 'drop.log'), 'd\n')
    const fake = fakeContext()
    const t = await run({ path: join(dir, '*.log'), exclude_path: '*drop*', read_from_head: 'on' }, fake)
    await waitFor('keep read', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['k'])
    assert.equal(t.files.size, 1)
  })

  test('ignore_older leaves out files not modified recently', async () => {
    const old = join(dir, 'old.log')
    await writeFile(old, 'o\n')
    const past = new Date(Date.now() - 3600_000)
    await utimes(old, past, past)
    await writeFile(join(dir, 'new.log'), 'n\n')
    const fake = fakeContext()
    const t = await run({ path: join(dir, '*.log'), ignore_older: '10m', read_from_head: 'on' }, fake)
    await waitFor('new read', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['n'])
    assert.equal(t.files.size, 1)
  })

  test('ignore_active_older_files closes an open file once it stops changing for ignore_older', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'x\n')
    const fake = fakeContext()
    const t = await run({ path: file, read_from_head: 'on', ignore_older: '1h', ignore_active_older_files: 'on' }, fake)
    await waitFor('read', () => fake.lines().length === 1)
    assert.equal(fake.metric('sluice_input_tail_files_open'), 1)
    const past = new Date(Date.now() - 2 * 3600_000)
    await utimes(file, past, past)
    await waitFor('closed', () => fake.metric('fluentbit_input_files_closed_total') === 1)
    assert.equal(t.files.size, 0)
    assert.equal(fake.metric('sluice_input_tail_files_open'), 0)
  })

  test('tag_regex fills <name> from named groups of the path', async () => {
    const file = join(dir, 'web-7d9_prod_nginx-0123abcd.log')
    await writeFile(file, 'hello\n')
    const fake = fakeContext({ tag: 'kube.<namespace>.<pod>.<container>.<missing>' })
    await run(
      {
        path: join(dir, '*.log'),
        read_from_head: 'on',
        tag_regex: '(?<pod>[^_/]+)_(?<namespace>[^_]+)_(?<container>.+)-(?<id>[a-z0-9]+)\\.log$',
      },
      fake,
    )
    await waitFor('line', () => fake.lines().length === 1)
    assert.equal(fake.batches[0]!.tag, 'kube.prod.web-7d9.nginx._')
  })

  test('backpressure: nothing is read while paused; reading resumes after', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, '')
    const fake = fakeContext()
    const t = await run({ path: file, read_from_head: 'on' }, fake)
    await waitFor('opened', () => t.files.size === 1)
    fake.setPaused(true)
    t.wake()
    await appendFile(file, 'p1\np2\n')
    const seen = t.iterations
    await waitFor('loop went round while paused', () => t.iterations >= seen + 3)
    assert.equal(fake.lines().length, 0)
    fake.setPaused(false)
    await waitFor('lines after resume', () => fake.lines().length === 2)
    assert.deepEqual(fake.lines(), ['p1', 'p2'])
  })

  test('inotify_watcher off: open files are polled every watcher_interval', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, '')
    const fake = fakeContext()
    const t = await run({ path: file, inotify_watcher: 'off', watcher_interval: '0.05', refresh_interval: '60' }, fake)
    await waitFor('opened', () => t.files.size === 1)
    await appendFile(file, 'polled\n')
    await waitFor('line', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['polled'])
  })

  test('generic.encoding converts to UTF-8', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])) // "café" in Windows-1252
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on', 'generic.encoding': 'Win1252' }, fake)
    await waitFor('line', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['café'])
  })

  test('exit_on_eof asks for shutdown once a file is read to its end', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'x\n')
    const fake = fakeContext()
    let exits = 0
    const t = await startTail({ path: file, read_from_head: 'on', exit_on_eof: 'on', refresh_interval: '0.05' }, fake)
    t.onExit = () => exits++
    running.push(t)
    await waitFor('exit requested', () => exits === 1)
    assert.deepEqual(fake.lines(), ['x'])
  })
})

describe('tail: files come and go', () => {
  test('a file appearing after start is read from its head', async () => {
    const fake = fakeContext()
    const t = await run({ path: join(dir, '*.log') }, fake)
    await waitFor('first scan', () => t.iterations >= 2)
    await writeFile(join(dir, 'late.log'), 'l1\nl2\n')
    await waitFor('late lines', () => fake.lines().length === 2)
    assert.deepEqual(fake.lines(), ['l1', 'l2'])
  })

  test('a file deleted while open is read to its end, then closed after rotate_wait', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'a\n')
    const fake = fakeContext()
    const t = await run({ path: file, read_from_head: 'on' }, fake)
    await waitFor('a', () => fake.lines().length === 1)
    await appendFile(file, 'b\n')
    await unlink(file)
    await waitFor('closed', () => fake.metric('fluentbit_input_files_closed_total') === 1)
    assert.deepEqual(fake.lines(), ['a', 'b'])
    assert.equal(t.files.size, 0)
  })

  test('rotation by rename + create: the old file is finished, the new one read from its head', async () => {
    const file = join(dir, 'app.log')
    await writeFile(file, 'r1\n')
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on' }, fake)
    await waitFor('r1', () => fake.lines().length === 1)
    await rename(file, `${file}.1`)
    await appendFile(`${file}.1`, 'r2\nr3 without newline') // the writer still holds the old file
    await writeFile(file, 'n1\n')
    await waitFor('old closed', () => fake.metric('fluentbit_input_files_closed_total') === 1)
    // The rotated file's unterminated last line is emitted when it is closed, not lost.
    assert.deepEqual(new Set(fake.lines()), new Set(['r1', 'r2', 'r3 without newline', 'n1']))
    assert.equal(fake.metric('fluentbit_input_files_rotated_total'), 1)
    await appendFile(file, 'n2\n')
    await waitFor('n2', () => fake.lines().includes('n2'))
  })

  test('copytruncate: a file truncated in place is read again from the start', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 'before-1\nbefore-2\n')
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on' }, fake)
    await waitFor('before', () => fake.lines().length === 2)
    await truncate(file, 0)
    await appendFile(file, 'after\n')
    await waitFor('after', () => fake.lines().includes('after'))
    assert.deepEqual(fake.lines(), ['before-1', 'before-2', 'after'])
    assert.equal(fake.metric('sluice_input_tail_files_truncated_total'), 1)
  })

  test('with inotify, rename and copytruncate are noticed from file events, without waiting for a periodic check', async () => {
    const file = join(dir, 'app.log')
    await writeFile(file, 'a\n')
    const fake = fakeContext()
    const slow = { refresh_interval: '3600', watcher_interval: '3600' }
    await run({ path: file, read_from_head: 'on', ...slow }, fake)
    await waitFor('a', () => fake.lines().length === 1)
    await truncate(file, 0)
    await appendFile(file, 'b\n')
    await waitFor('b after truncation', () => fake.lines().includes('b'))
    await rename(file, `${file}.1`)
    await writeFile(file, 'c\n')
    await waitFor('c in the new file', () => fake.lines().includes('c'))
    assert.deepEqual(fake.lines(), ['a', 'b', 'c'])
    assert.equal(fake.metric('fluentbit_input_files_rotated_total'), 1)
  })

  test('kubernetes layout: symlinks in containers/ to pods/, identity is the real file, kubelet rotation', async () => {
    const podDir = join(dir, 'pods', 'prod_web-1_uid-1', 'nginx')
    await mkdir(podDir, { recursive: true })
    await mkdir(join(dir, 'containers'))
    const real = join(podDir, '0.log')
    await writeFile(real, 'p1\n')
    const link = join(dir, 'containers', 'web-1_prod_nginx-abc.log')
    await symlink(real, link)
    const fake = fakeContext({ tag: 'kube.*' })
    const t = await run(
      { path: `${join(dir, 'containers', '*.log')},${join(podDir, '*.log')}`, read_from_head: 'on', path_key: 'file' },
      fake,
    )
    await waitFor('p1', () => fake.lines().length === 1)
    // One file although two patterns match it: the symlink path came first.
    assert.equal(t.files.size, 1)
    assert.equal(fake.batches[0]!.events[0]!.body.file, link)
    assert.equal(fake.batches[0]!.tag, `kube.${link.slice(1).replaceAll('/', '.')}`)
    // kubelet rotates 0.log → 0.log.<stamp> and the runtime writes a new 0.log.
    await rename(real, `${real}.20261122-073000`)
    await writeFile(real, 'p2\n')
    await waitFor('p2', () => fake.lines().includes('p2'))
    assert.deepEqual(fake.lines(), ['p1', 'p2'])
  })
})

describe('tail: long lines', () => {
  const long = 'x'.repeat(3000)

  test('skip_long_lines skips the line with one warning naming file and offset, and counts it', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `a\n${long}\nb\n`)
    const fake = fakeContext()
    await run(
      { path: file, read_from_head: 'on', buffer_max_size: '1k', buffer_chunk_size: '1k', skip_long_lines: 'on' },
      fake,
    )
    await waitFor('a and b', () => fake.lines().length === 2)
    assert.deepEqual(fake.lines(), ['a', 'b'])
    assert.equal(fake.metric('fluentbit_input_long_line_skipped_total'), 1)
    const warns = fake.log.lines.filter((l) => l.includes('skipped'))
    assert.equal(warns.length, 1)
    assert.match(warns[0]!, new RegExp(`file=${file} offset=2\\b`))
  })

  test('a file full of long lines: every one counted, warnings limited per file', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `${`${long}\n`.repeat(30)}end\n`)
    const fake = fakeContext()
    await run(
      { path: file, read_from_head: 'on', buffer_max_size: '1k', buffer_chunk_size: '1k', skip_long_lines: 'on' },
      fake,
    )
    await waitFor('end', () => fake.lines().includes('end'))
    assert.equal(fake.metric('fluentbit_input_long_line_skipped_total'), 30)
    assert.equal(fake.log.lines.filter((l) => l.includes('skipped')).length, 1)
  })

  test('truncate_long_lines emits the first buffer_max_size bytes', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `a\n${long}\nb\n`)
    const fake = fakeContext()
    await run(
      { path: file, read_from_head: 'on', buffer_max_size: '1k', buffer_chunk_size: '1k', truncate_long_lines: 'on' },
      fake,
    )
    await waitFor('3 records', () => fake.lines().length === 3)
    assert.deepEqual(fake.lines(), ['a', 'x'.repeat(1024), 'b'])
    assert.equal(fake.metric('fluentbit_input_long_line_truncated_total'), 1)
  })

  test('a long line still being written (no newline yet) is skipped as it grows', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `a\n${long}`)
    const fake = fakeContext()
    const t = await run(
      { path: file, read_from_head: 'on', buffer_max_size: '1k', buffer_chunk_size: '1k', skip_long_lines: 'on' },
      fake,
    )
    await waitFor('skip counted', () => fake.metric('fluentbit_input_long_line_skipped_total') === 1)
    await appendFile(file, `${long}\nb\n`)
    await waitFor('b', () => fake.lines().length === 2)
    assert.deepEqual(fake.lines(), ['a', 'b'])
    assert.equal(fake.metric('fluentbit_input_long_line_skipped_total'), 1)
    assert.equal(t.files.size, 1)
  })

  test('without skip or truncate a long line stops reading the file, with an error and a counter', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `a\n${long}\nb\n`)
    const fake = fakeContext()
    const t = await run({ path: file, read_from_head: 'on', buffer_max_size: '1k', buffer_chunk_size: '1k' }, fake)
    await waitFor('abandoned', () => fake.metric('sluice_input_tail_files_abandoned_total') === 1)
    assert.deepEqual(fake.lines(), ['a'])
    assert.ok(fake.log.lines.some((l) => l.includes('requires a larger buffer size') && l.includes(file)))
    const seen = t.iterations
    await waitFor('more scans', () => t.iterations >= seen + 3)
    assert.equal(t.files.size, 0)
  })

  test('a line longer than the 1 MiB read buffer but within buffer_max_size is read whole', async () => {
    const file = join(dir, 'a.log')
    const big = 'y'.repeat(1536 * 1024)
    await writeFile(file, `a\n${big}\nb\n`)
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on', buffer_max_size: '4M' }, fake)
    await waitFor('3 lines', () => fake.lines().length === 3)
    assert.equal(fake.lines()[1]!.length, big.length)
    assert.equal(fake.lines()[2], 'b')
  })
})

function dbOffset(db: string, name: string): number | undefined {
  const d = new DatabaseSync(db)
  try {
    const row = d.prepare('SELECT offset FROM in_tail_files WHERE name = ? ORDER BY id DESC').get(name) as
      | { offset: number }
      | undefined
    return row?.offset
  } finally {
    d.close()
  }
}

describe('tail: database and acknowledged delivery', () => {
  test('a restart resumes at the committed offset', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\nb\n')
    const first = fakeContext()
    const t1 = await run({ path: file, read_from_head: 'on', db }, first)
    await waitFor('a, b', () => first.lines().length === 2)
    await waitFor('committed', () => dbOffset(db, file) === 4)
    await stop(t1)
    await appendFile(file, 'c\n')
    const second = fakeContext()
    await run({ path: file, read_from_head: 'on', db }, second)
    await waitFor('c', () => second.lines().length === 1)
    assert.deepEqual(second.lines(), ['c'])
  })

  test('a batch not acknowledged before a stop is read again after restart (at-least-once)', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\nb\n')
    const first = fakeContext({ autoAck: false })
    const t1 = await run({ path: file, read_from_head: 'on', db }, first)
    await waitFor('a, b emitted', () => first.lines().length === 2)
    await stop(t1)
    assert.equal(dbOffset(db, file), 0)
    const second = fakeContext()
    await run({ path: file, read_from_head: 'on', db }, second)
    await waitFor('a, b again', () => second.lines().length === 2)
    assert.deepEqual(second.lines(), ['a', 'b'])
  })

  test('after kill -9, lines not acknowledged are read again from the last committed offset', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\nb\n')
    const child = spawn(process.execPath, [join(import.meta.dirname, 'testdata', 'crash-child.ts'), file, db], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += String(d)
    })
    const exited = new Promise((r) => child.on('exit', r))
    try {
      await waitFor('first batch', () => out.includes('batch 1 a,b'), 15000)
      await appendFile(file, 'c\n')
      await waitFor('second batch', () => out.includes('batch 2 c'), 15000)
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    assert.equal(dbOffset(db, file), 4)
    const after = fakeContext()
    await run({ path: file, read_from_head: 'on', db }, after)
    await waitFor('c again', () => after.lines().length === 1)
    assert.deepEqual(after.lines(), ['c'])
  })

  test('an offset is committed only when every earlier batch of the file is acknowledged', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\n')
    const fake = fakeContext({ autoAck: false })
    await run({ path: file, read_from_head: 'on', db }, fake)
    await waitFor('batch 1', () => fake.batches.length === 1)
    await appendFile(file, 'bb\n')
    await waitFor('batch 2', () => fake.batches.length === 2)
    fake.batches[1]!.ack()
    assert.equal(dbOffset(db, file), 0)
    fake.batches[0]!.ack()
    assert.equal(dbOffset(db, file), 5)
  })

  test('same inode, different content (rewritten or reused while stopped): read from the head, not at the old offset', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'old content line one\nold content line two\n')
    const first = fakeContext()
    const t1 = await run({ path: file, read_from_head: 'on', db }, first)
    await waitFor('committed', () => dbOffset(db, file) === 42)
    await stop(t1)
    // writeFile truncates and rewrites the same inode: a different file as far as offsets go.
    await writeFile(file, 'NEW 1\nNEW 2\nNEW 3\nNEW 4\nNEW 5\nNEW 6\nNEW 7\nNEW 8\nNEW 9\n')
    const second = fakeContext()
    await run({ path: file, read_from_head: 'on', db }, second)
    await waitFor('9 new lines', () => second.lines().length === 9)
    assert.equal(second.lines()[0], 'NEW 1')
  })

  test('db.compare_filename: a renamed file resumes by inode, or starts over when names must match', async () => {
    const db = join(dir, 'tail.db')
    for (const compare of ['off', 'on']) {
      const a = join(dir, `a-${compare}.log`)
      const b = join(dir, `b-${compare}.log`)
      await writeFile(a, 'one\n')
      const first = fakeContext()
      const t1 = await run({ path: a, read_from_head: 'on', db, 'db.compare_filename': compare }, first)
      await waitFor('committed', () => dbOffset(db, a) === 4)
      await stop(t1)
      await rename(a, b)
      await appendFile(b, 'two\n')
      const second = fakeContext()
      await run({ path: b, read_from_head: 'on', db, 'db.compare_filename': compare }, second)
      await waitFor('two', () => second.lines().includes('two'))
      assert.deepEqual(second.lines(), compare === 'on' ? ['one', 'two'] : ['two'])
    }
  })

  test('db.locking: the database is closed at stop so that a new instance (reload) can open it', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\n')
    const first = fakeContext({ autoAck: false })
    const t1 = await run({ path: file, read_from_head: 'on', db, 'db.locking': 'on' }, first)
    await waitFor('a', () => first.lines().length === 1)
    await stop(t1) // 'a' is still in flight
    await appendFile(file, 'b\n')
    const second = fakeContext()
    await run({ path: file, read_from_head: 'on', db, 'db.locking': 'on' }, second)
    await waitFor('a and b', () => second.lines().length === 2)
    assert.deepEqual(second.lines(), ['a', 'b'])
    first.batches[0]!.ack() // a late acknowledgement after the close is harmless
  })

  test('db.journal_mode and db.sync reach SQLite', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'a\n')
    const fake = fakeContext()
    await run({ path: file, db, 'db.journal_mode': 'WAL', 'db.sync': 'full' }, fake)
    const d = new DatabaseSync(db)
    const mode = d.prepare('PRAGMA journal_mode').get() as { journal_mode: string }
    d.close()
    assert.equal(mode.journal_mode, 'wal')
  })
})

describe('tail: parser and multiline', () => {
  const firstline: Parser = {
    name: 'first',
    format: 'regex',
    parse(text) {
      const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) (\w+) (.*)$/.exec(text)
      if (!m) return null
      const sec = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000
      return { body: { level: m[7]!, msg: m[8]! }, sec, nsec: 0 }
    },
  }
  const kv: Parser = {
    name: 'kv',
    format: 'regex',
    parse(text) {
      const m = /^t=(\d+) msg=(.*)$/.exec(text)
      return m ? { body: { msg: m[2]! }, sec: Number(m[1]), nsec: 0 } : null
    },
  }

  test('parser structures matching lines with their time; others stay raw under key', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, 't=1700000000 msg=hello\nnot matching\n')
    const fake = fakeContext({ parsers: [kv] })
    await run({ path: file, read_from_head: 'on', parser: 'kv', path_key: 'p' }, fake)
    await waitFor('2 records', () => fake.batches.flatMap((b) => b.events).length === 2)
    const [e1, e2] = fake.batches.flatMap((b) => b.events)
    assert.deepEqual(e1!.body, { p: file, msg: 'hello' })
    assert.equal(e1!.sec, 1700000000)
    assert.deepEqual(e2!.body, { p: file, log: 'not matching' })
    assert.ok(Math.abs(e2!.sec - Date.now() / 1000) < 60)
  })

  test('an unknown parser or multiline parser is a configuration error', async () => {
    await assert.rejects(
      startTail({ path: join(dir, 'x.log'), parser: 'nope' }, fakeContext()),
      /parser 'nope' is not registered/,
    )
    await assert.rejects(
      startTail({ path: join(dir, 'x.log'), 'multiline.parser': 'nope' }, fakeContext()),
      /multiline parser 'nope' is not defined/,
    )
    await assert.rejects(
      startTail({ path: join(dir, 'x.log'), buffer_chunk_size: '64k', buffer_max_size: '32k' }, fakeContext()),
      /buffer_max_size/,
    )
  })

  test('multiline: offsets are committed only up to the first line the joiner still holds', async () => {
    const registry = indentJoinerRegistry()
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    await writeFile(file, 'start1\n  cont\nstart2\n')
    const fake = fakeContext({ multiline: registry })
    const t = await run({ path: file, read_from_head: 'on', db, 'multiline.parser': 'indent' }, fake)
    await waitFor('first record', () => fake.lines().length === 1)
    assert.deepEqual(fake.lines(), ['start1\n  cont'])
    await waitFor('committed up to start2', () => dbOffset(db, file) === 14)
    await stop(t)
    assert.deepEqual(fake.lines(), ['start1\n  cont', 'start2'])
    assert.equal(dbOffset(db, file), 21)
  })

  test('multiline on (old mechanism): stack traces joined; commit point before the message still joined', async () => {
    const file = join(dir, 'app.log')
    const db = join(dir, 'tail.db')
    const first = '2026-11-22 07:30:00 ERROR boom\n'
    const trace = '  at A\n  at B\n'
    const next = '2026-11-22 07:30:01 INFO next\n'
    await writeFile(file, `orphan\n${first}${trace}${next}`)
    const fake = fakeContext({ parsers: [kv, firstline] })
    const t = await run(
      { path: file, read_from_head: 'on', db, multiline: 'on', parser_firstline: 'first', path_key: 'file' },
      fake,
    )
    await waitFor('orphan and the joined trace', () => fake.batches.flatMap((b) => b.events).length === 2)
    const [orphan, joined] = fake.batches.flatMap((b) => b.events)
    assert.deepEqual(orphan!.body, { log: 'orphan', file })
    assert.deepEqual(joined!.body, { level: 'ERROR', msg: 'boom\n  at A\n  at B', file })
    assert.equal(joined!.sec, Date.UTC(2026, 10, 22, 7, 30, 0) / 1000)
    // `next` is held (a message being joined): the committed offset stops before it
    const beforeNext = Buffer.byteLength(`orphan\n${first}${trace}`)
    await waitFor('committed before next', () => dbOffset(db, file) === beforeNext)
    await stop(t)
    assert.deepEqual(fake.batches.flatMap((b) => b.events)[2]!.body, { level: 'INFO', msg: 'next', file })
    assert.equal(dbOffset(db, file), beforeNext + Buffer.byteLength(next))
  })

  test('multiline on: Multiline_Flush completes a message nothing follows', async () => {
    const file = join(dir, 'app.log')
    await writeFile(file, '2026-11-22 07:30:00 ERROR boom\n  at A\n')
    const fake = fakeContext({ parsers: [firstline] })
    const t0 = Date.now()
    await run({ path: file, read_from_head: 'on', multiline: 'on', parser_firstline: 'first', multiline_flush: '1' }, fake)
    await waitFor('flushed', () => fake.batches.length === 1)
    assert.ok(Date.now() - t0 >= 900, 'not before Multiline_Flush')
    assert.deepEqual(fake.batches[0]!.events[0]!.body, { level: 'ERROR', msg: 'boom\n  at A' })
  })

  test('multiline on without parser_firstline, or with an unknown one, does not start; Parser takes precedence', async () => {
    const file = join(dir, 'app.log')
    await writeFile(file, '2026-11-22 07:30:00 ERROR boom\n  at A\n')
    await assert.rejects(startTail({ path: file, multiline: 'on' }, fakeContext()), /parser_firstline is not set/)
    await assert.rejects(
      startTail({ path: file, multiline: 'on', parser_firstline: 'nope' }, fakeContext()),
      /parser_firstline 'nope' is not registered/,
    )
    const fake = fakeContext({ parsers: [kv, firstline] })
    await run({ path: file, read_from_head: 'on', parser: 'kv', multiline: 'on', parser_firstline: 'first' }, fake)
    await waitFor('2 records', () => fake.batches.flatMap((b) => b.events).length === 2)
    assert.ok(fake.log.lines.some((l) => /multiline is not used: parser 'kv' is set/.test(l)))
  })

  test('multiline cri: a partial stdout line held while stderr completes keeps the commit point before it', async () => {
    const file = join(dir, 'a.log')
    const db = join(dir, 'tail.db')
    const l1 = '2026-11-22T07:30:00.000000001Z stdout P hello \n'
    const l2 = '2026-11-22T07:30:00.000000002Z stderr F err\n'
    const l3 = '2026-11-22T07:30:00.000000003Z stdout F world\n'
    await writeFile(file, l1 + l2)
    const fake = fakeContext({ multiline: createMultilineRegistry([]).registry })
    await run({ path: file, read_from_head: 'on', db, 'multiline.parser': 'cri', path_key: 'file' }, fake)
    await waitFor('err', () => fake.lines().includes('err'))
    assert.equal(dbOffset(db, file), 0)
    await appendFile(file, l3)
    await waitFor('joined', () => fake.lines().includes('hello world'))
    const joined = fake.batches.flatMap((b) => b.events).find((e) => e.body.log === 'hello world')!
    assert.equal(joined.body.stream, 'stdout')
    assert.equal(joined.body.file, file)
    assert.equal(dbOffset(db, file), Buffer.byteLength(l1 + l2 + l3))
  })
})

/** A joiner for tests: lines starting with a space continue the previous record. */
function indentJoinerRegistry(): MultilineRegistry {
  return {
    names: () => ['indent'],
    has: (n) => n === 'indent',
    create(): MultilineJoiner {
      const held = new Map<string, LogEvent[]>()
      const take = (g: string) => {
        const h = held.get(g) ?? []
        held.delete(g)
        if (h.length === 0) return []
        return [{ ...h[0]!, body: { log: h.map((e) => e.body.log).join('\n') } }]
      }
      return {
        push(e, g) {
          const text = String(e.body.log)
          if (text.startsWith(' ')) {
            held.get(g)?.push(e)
            return []
          }
          const out = take(g)
          held.set(g, [e])
          return out
        },
        flushExpired: () => [],
        flushAll: (g) => (g ? take(g) : [...held.keys()].flatMap(take)),
        pending: (g) => (g ? (held.get(g)?.length ?? 0) : [...held.values()].reduce((n, h) => n + h.length, 0)),
        truncated: 0,
      }
    },
  }
}

describe('tail: many files', () => {
  test('50 files appended concurrently: every line once, in order within each file', async () => {
    const files = Array.from({ length: 50 }, (_, i) => join(dir, `f${i}.log`))
    for (const f of files) await writeFile(f, '')
    const fake = fakeContext({ tag: 'k.*' })
    const t = await run({ path: join(dir, '*.log'), read_from_head: 'on', path_key: 'p' }, fake)
    await waitFor('all open', () => t.files.size === 50)
    for (let round = 0; round < 20; round++) {
      await Promise.all(files.map((f, i) => appendFile(f, `${i}:${round}\n`)))
    }
    await waitFor('1000 lines', () => fake.lines().length === 1000, 15000)
    const byFile = new Map<string, string[]>()
    for (const b of fake.batches) {
      for (const e of b.events) {
        const list = byFile.get(String(e.body.p)) ?? []
        list.push(String(e.body.log))
        byFile.set(String(e.body.p), list)
      }
    }
    files.forEach((f, i) => {
      assert.deepEqual(
        byFile.get(f),
        Array.from({ length: 20 }, (_, r) => `${i}:${r}`),
      )
    })
  })
})

describe('tail: unicode.encoding', () => {
  const utf16 = (text: string, le: boolean, bom: boolean) => {
    const body = Buffer.from(text, 'utf16le')
    if (!le) body.swap16()
    return bom ? Buffer.concat([Buffer.from(le ? [0xff, 0xfe] : [0xfe, 0xff]), body]) : body
  }

  for (const [setting, le, bom] of [
    ['UTF-16LE', true, true],
    ['UTF-16BE', false, false],
    ['auto', true, true],
    ['auto', false, false],
  ] as const) {
    test(`${setting} ${le ? 'little' : 'big'} endian${bom ? ' with BOM' : ''}: lines converted to UTF-8`, async () => {
      const file = join(dir, 'w.log')
      await writeFile(file, utf16('hello wörld\r\n日本語 😀\n\u010a\npartial', le, bom))
      const fake = fakeContext()
      await run({ path: file, read_from_head: 'on', 'unicode.encoding': setting }, fake)
      await waitFor('3 lines', () => fake.lines().length === 3)
      assert.deepEqual(fake.lines(), ['hello wörld', '日本語 😀', '\u010a'])
      await appendFile(file, utf16(' done\n', le, false))
      await waitFor('4 lines', () => fake.lines().length === 4)
      assert.equal(fake.lines()[3], 'partial done')
    })
  }

  test('auto on a UTF-8 file reads UTF-8', async () => {
    const file = join(dir, 'u.log')
    await writeFile(file, 'plain ascii line\nsecond\n')
    const fake = fakeContext()
    await run({ path: file, read_from_head: 'on', 'unicode.encoding': 'auto' }, fake)
    await waitFor('2 lines', () => fake.lines().length === 2)
    assert.deepEqual(fake.lines(), ['plain ascii line', 'second'])
  })
})

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { memoryLogger } from '@sluice/core/log.ts'
import { mergeRestSql } from '../query/fields.ts'
import { tempDir } from '../testing.ts'
import { type CatalogEntry, PathCollector } from './catalog.ts'
import { LockedError, lockDataDir } from './lock.ts'
import { applyRetention } from './retention.ts'
import {
  analyze,
  mergeRest,
  ownRestText,
  restText,
  rowToRecord,
  splitOf,
  wellFormedJson,
  type StoredRow,
  shareValue,
  timestampMicros,
  WalWriter,
  walLine,
  walRow,
} from './row.ts'
import { Store } from './store.ts'
import { type SealedSegment, Wal } from './wal.ts'

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
function dir(): string {
  const d = tempDir('sluice-store-')
  dirs.push(d)
  return d
}

async function open(d: string): Promise<Store> {
  return Store.open({ dir: d, log: memoryLogger(), segmentMaxAgeMs: 50 })
}

async function put(s: Store, docs: Array<Record<string, unknown>>, index = 'logs') {
  const rows = docs.map((body) => {
    const r = s.prepare({ body, index }, Date.now() * 1000)
    assert.ok(!('error' in r))
    return r
  })
  return s.commit(rows, 'bulk')
}

/**
 * Every stored row with its whole rest (its own `rest` and its shared part's text joined back, as the
 * query API returns it), in sequence order.
 */
async function storedRows(s: Store): Promise<StoredRow[]> {
  return (await s.query(
    `SELECT epoch_us(l.ts) AS ts, l.seq, idx, ns, pod, ctr, host, stream, level, msg, mkey, time, l.id,
       ${mergeRestSql('l.rest', 'x.rest')} AS rest
     FROM ${s.source(0, Number.MAX_SAFE_INTEGER)} l
     LEFT JOIN (SELECT DISTINCT id, rest FROM ${s.sharedSource(0, Number.MAX_SAFE_INTEGER)}) x ON x.id = l.kid
     ORDER BY l.seq`,
  )) as unknown as StoredRow[]
}

/** A WAL row as versions before the shared part wrote it (`.csv`): without the `kid` and `kr` fields. */
function legacyCsvRow(row: string): string {
  assert.ok(row.endsWith('\u0001\u0001\n'), 'a row without a shared part')
  return `${row.slice(0, -3)}\n`
}

async function count(s: Store): Promise<number> {
  const r = await s.query(`SELECT count(*) AS n FROM ${s.source(0, Number.MAX_SAFE_INTEGER)}`)
  return Number(r[0]!.n)
}

describe('store', () => {
  test('restart keeps data, sequence numbers continue, partitions by UTC day', async () => {
    const d = dir()
    let s = await open(d)
    const seqs = await put(s, [
      { '@timestamp': '2026-11-20T23:59:59.999Z', log: 'a' },
      { '@timestamp': '2026-11-21T00:00:00Z', log: 'b' },
      { '@timestamp': '2026-11-21T10:00:00Z', log: 'c' },
    ])
    assert.deepEqual(seqs, [0, 1, 2])
    await s.close()
    assert.deepEqual(
      readdirSync(join(d, 'parts'))
        .filter((f) => f.endsWith('.duckdb'))
        .sort(),
      ['2026-11-20.duckdb', '2026-11-21.duckdb'],
    )
    s = await open(d)
    assert.equal(await count(s), 3)
    assert.equal(s.recordsTotal(), 3)
    assert.deepEqual(await put(s, [{ log: 'd' }]), [3])
    await s.close()
  })

  test('acknowledged rows still in the WAL are replayed once at start; a torn tail is cut', async () => {
    const d = dir()
    // A WAL segment as a killed server leaves it: two complete rows and a torn third, cut inside a
    // quoted field after a newline that is data (the tail cut keeps it; the reader drops the row).
    mkdirSync(join(d, 'wal'), { recursive: true })
    const ts = Date.parse('2026-11-21T10:00:00Z') * 1000
    const doc = { log: 'from wal' }
    const torn = walRow(ts + 2, 2, 'logs', null, 2, { log: 'torn\nrow' })
    writeFileSync(
      join(d, 'wal', '000000000007.csv2'),
      walRow(ts, 0, 'logs', null, 2, doc) +
        walRow(ts + 1, 1, 'logs', null, 2, doc) +
        torn.slice(0, torn.indexOf('\n') + 3),
    )
    let s = await open(d)
    assert.equal(await count(s), 2)
    assert.deepEqual(await put(s, [{ log: 'next' }]), [2])
    await s.close()
    assert.equal(existsSync(join(d, 'wal', '000000000007.csv2')), false)
    s = await open(d)
    assert.equal(await count(s), 3)
    await s.close()
  })

  test('NDJSON and CSV segments of earlier versions are replayed after an upgrade, in order with this one', async () => {
    const d = dir()
    mkdirSync(join(d, 'wal'), { recursive: true })
    const ts = Date.parse('2026-11-21T10:00:00Z') * 1000
    const doc = { log: 'old format', stream: 'stdout', kubernetes: { pod_name: 'p1', labels: { app: 'a' } } }
    writeFileSync(
      join(d, 'wal', '000000000007.ndjson'),
      walLine(ts, 0, 'logs', 'id-0', 2 | 8 | 128, doc) + walLine(ts + 1, 1, 'logs', null, 2 | 8 | 128, doc),
    )
    appendFileSync(join(d, 'wal', '000000000007.ndjson'), '{"ts":1795')
    writeFileSync(join(d, 'wal', '000000000008.csv'), legacyCsvRow(walRow(ts + 2, 2, 'logs', null, 2 | 8 | 128, doc)))
    // This version's segment with rows that reference a shared part: its text is in the first row's
    // `kr` (read from the file, as after a crash: no WAL memory of it).
    const sharedDoc = { ...doc, kubernetes: shareValue({ ...doc.kubernetes, namespace_name: 'n' }) }
    const seen = new Map<string, string>()
    writeFileSync(
      join(d, 'wal', '000000000009.csv2'),
      walRow(ts + 3, 3, 'logs', null, 2 | 8 | 64 | 128, sharedDoc, seen) +
        walRow(ts + 4, 4, 'logs', null, 2 | 8 | 64 | 128, sharedDoc, seen),
    )
    assert.equal(seen.size, 1)
    let s = await open(d)
    const plain = { ...doc, kubernetes: { ...doc.kubernetes, namespace_name: 'n' } }
    const expected = [
      [0, 'id-0', doc],
      [1, null, doc],
      [2, null, doc],
      [3, null, plain],
      [4, null, plain],
    ]
    assert.deepEqual(
      (await storedRows(s)).map((r) => [Number(r.seq), r.id, rowToRecord(r)]),
      expected,
    )
    const split = await s.query(
      `SELECT seq, rest, kid FROM ${s.source(0, Number.MAX_SAFE_INTEGER)} WHERE kid IS NOT NULL`,
    )
    assert.deepEqual(
      split.map((r) => [Number(r.seq), r.rest]),
      [
        [3, null],
        [4, null],
      ],
    )
    assert.deepEqual(await put(s, [{ log: 'next' }]), [5])
    await s.close()
    assert.deepEqual(readdirSync(join(d, 'wal')), [])
    s = await open(d)
    assert.equal(await count(s), 6)
    assert.deepEqual(
      (await storedRows(s)).slice(0, 5).map((r) => [Number(r.seq), r.id, rowToRecord(r)]),
      expected,
    )
    await s.close()
  })

  test('every string survives the WAL: separators, quotes, newlines, lone surrogates, empty strings', async () => {
    const d = dir()
    const s = await open(d)
    const nasty = [
      '',
      'a\nb\r\nc',
      'x\u0001y\u0002z\u0002\u0002',
      '"q", \\n \\u0002',
      'lone \ud800 and \udc00',
      '😀 é ß',
    ]
    const k8s = (v: string) => ({ namespace_name: v, pod_name: v, container_name: v, host: v, labels: { [v]: v } })
    const docs: Array<Record<string, unknown> & { '@timestamp': string }> = nasty.map((v, i) => ({
      '@timestamp': `2026-11-21T10:00:0${i}Z`,
      ...(i % 2 === 0 ? { log: v } : { message: v }),
      stream: v,
      level: v,
      time: v,
      kubernetes: k8s(v),
      other: { v, n: i, ok: true, none: null, list: [v, 1] },
    }))
    // the same strings in a shared kubernetes object, split off into the shared table (last key)
    docs.push(
      ...nasty.map((v, i) => ({
        '@timestamp': `2026-11-21T10:01:0${i}Z`,
        log: v,
        other: { v },
        kubernetes: shareValue(k8s(v)),
      })),
    )
    const rows = docs.map((body, i) => {
      const v = nasty[i % nasty.length]!
      const r = s.prepare({ body, index: `idx${v.includes('\u0002') ? '-q' : ''}`, id: v }, 0)
      assert.ok(!('error' in r))
      return r
    })
    await s.commit(rows, 'bulk')
    await s.refresh()
    const got = await storedRows(s)
    const wellFormed = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll(/\\ud[89a-f][0-9a-f]{2}/g, '\\ufffd'))
    assert.deepEqual(
      got.map((r) => [Number(r.ts), r.id, rowToRecord(r)]),
      docs.map(({ '@timestamp': t, ...doc }, i) => [
        Date.parse(t) * 1000,
        wellFormed(nasty[i % nasty.length]),
        wellFormed(doc),
      ]),
    )
    const split = await s.query(
      `SELECT count(*) AS n FROM ${s.source(0, Number.MAX_SAFE_INTEGER)} WHERE kid IS NOT NULL`,
    )
    assert.equal(Number(split[0]!.n), nasty.length)
    assert.equal(s.rejectedRows, 0)
    await s.close()
  })

  test('a segment already loaded (crash after commit, before delete) is not loaded twice', async () => {
    const d = dir()
    let s = await open(d)
    await put(s, [{ '@timestamp': '2026-11-21T10:00:00Z', log: 'x' }])
    await s.refresh()
    await s.close()
    // Re-create the segment file as if its deletion never happened: its marker is in the partition.
    writeFileSync(
      join(d, 'wal', '000000000001.csv2'),
      walRow(Date.parse('2026-11-21T10:00:00Z') * 1000, 0, 'logs', null, 2, { log: 'x' }),
    )
    s = await open(d)
    assert.equal(await count(s), 1)
    await s.close()
  })

  test('segment numbers are never reused after a restart (a replay would skip the new rows)', async () => {
    const d = dir()
    let s = await open(d)
    await put(s, [{ log: 'first run' }])
    await s.refresh()
    await s.close()
    assert.deepEqual(readdirSync(join(d, 'wal')), [])
    s = await Store.open({ dir: d, log: memoryLogger(), segmentMaxAgeMs: 60_000 })
    await put(s, [{ log: 'second run' }])
    assert.deepEqual(readdirSync(join(d, 'wal')), ['000000000002.csv2'])
    await s.close()
  })

  test('rows are stored in time order, whether a segment arrives sorted or not', async () => {
    const d = dir()
    const s = await Store.open({ dir: d, log: memoryLogger(), segmentMaxAgeMs: 60_000 })
    const at = (sec: number) => ({ '@timestamp': `2026-11-21T10:00:${String(sec).padStart(2, '0')}Z`, log: `s${sec}` })
    const order = async () =>
      (await s.query(`SELECT msg FROM ${s.source(0, Number.MAX_SAFE_INTEGER)} ORDER BY rowid`)).map((r) => r.msg)
    // in order across two requests: loaded as is
    await put(s, [at(1), at(2)])
    await put(s, [at(3), at(4)])
    await s.refresh()
    assert.deepEqual(await order(), ['s1', 's2', 's3', 's4'])
    // a later request with earlier records, and a request out of order inside: sorted at load
    await put(s, [at(9), at(10)])
    await put(s, [at(6), at(8), at(7)])
    await s.refresh()
    assert.deepEqual(await order(), ['s1', 's2', 's3', 's4', 's6', 's7', 's8', 's9', 's10'])
    await s.close()
  })

  test('the WAL knows whether a segment is in time order (the load then skips its sort)', async () => {
    const sealed: SealedSegment[] = []
    const wal = new Wal(join(dir(), 'wal'), {
      segmentMaxBytes: 1 << 20,
      segmentMaxAgeMs: 60_000,
      onSealed: (x) => sealed.push(x),
    })
    await wal.open()
    const one = new Map([['2026-11-21\tlogs', 1]])
    const line = Buffer.from('x\n')
    await wal.append(line, 1, one, 0, { firstTs: 1, lastTs: 5, sorted: true })
    await wal.append(line, 1, one, 1, { firstTs: 5, lastTs: 9, sorted: true })
    await wal.seal()
    await wal.append(line, 1, one, 2, { firstTs: 10, lastTs: 12, sorted: true })
    await wal.append(line, 1, one, 3, { firstTs: 11, lastTs: 20, sorted: true }) // overlaps the previous batch
    await wal.seal()
    await wal.append(line, 1, one, 4, { firstTs: 30, lastTs: 31, sorted: false })
    await wal.close()
    assert.deepEqual(
      sealed.map((x) => [x.maxSeq, x.sorted]),
      [
        [1, true],
        [3, false],
        [4, false],
      ],
    )
  })

  test('the field catalog learns every new path, also after documents whose rest it has seen', async () => {
    const s = await open(dir())
    const k8s = { pod_name: 'p', labels: { app: 'x' } }
    const rows = [
      { log: 'a', kubernetes: k8s },
      { log: 'b', kubernetes: k8s },
      { log: 'c', kubernetes: { ...k8s, labels: { app: 'x', tier: 'web' } } },
      { log: 'd', kubernetes: k8s, level: 5 },
      { log: 'e', kubernetes: k8s, level: 'info' },
      { log: 'f', kubernetes: k8s, n: null },
      { log: 'g', kubernetes: k8s, n: 'one' },
    ].map((body) => {
      const r = s.prepare({ body, index: 'logs' }, 0)
      assert.ok(!('error' in r))
      return r
    })
    await s.commit(rows, 'bulk')
    assert.deepEqual(
      s.catalog
        .entries()
        .map((e) => `${e.name}:${e.type}`)
        .sort(),
      ['kubernetes.labels.app:string', 'kubernetes.labels.tier:string', 'level:number', 'n:string'],
    )
    await s.close()
  })

  test('a kubernetes object shared by documents gives the same rest text and catalog as separate copies', async () => {
    const k8s = () => ({ pod_name: 'p', namespace_name: 'n', labels: { app: 'x' }, host: 7 })
    const shared = shareValue(k8s())
    const docs = (k: Record<string, unknown>) => [
      { log: 'a', kubernetes: k },
      { log: 'b', kubernetes: k, after: [1] },
      { x: 1, kubernetes: k, log: 'c', y: 'two' },
      { kubernetes: k },
      { x: 2, log: 'd', kubernetes: k },
    ]
    // split off (kubernetes last of what stays in rest) or not (a key of rest after it)
    const splits = [true, false, false, true, true]
    for (const [i, d] of docs(shared).entries()) {
      const copy = docs(k8s())[i]!
      const mask = analyze(d).mask
      for (let n = 0; n < 2; n++) {
        assert.equal(restText(d, mask), restText(copy, analyze(copy).mask), JSON.stringify(copy))
        const part = splitOf(d, mask)
        assert.equal(part !== undefined, splits[i], JSON.stringify(copy))
        assert.equal(splitOf(copy, analyze(copy).mask), undefined)
        if (part)
          assert.equal(
            mergeRest(ownRestText(d, mask), part.text),
            restText(copy, analyze(copy).mask),
            JSON.stringify(copy),
          )
      }
    }
    const onlyColumns = shareValue({ pod_name: 'p' })
    assert.equal(
      restText({ log: 'a', kubernetes: onlyColumns }, analyze({ log: 'a', kubernetes: onlyColumns }).mask),
      null,
    )
    const d = dir()
    const s = await open(d)
    await put(s, [...docs(shared), ...docs(shared)])
    await s.refresh()
    assert.deepEqual(
      (await storedRows(s)).map((r) => rowToRecord(r)),
      [...docs(k8s()), ...docs(k8s())],
    )
    // the shared part is stored once; rows keep their own fields
    const own = await s.query(
      `SELECT rest, kid IS NOT NULL AS k FROM ${s.source(0, Number.MAX_SAFE_INTEGER)} ORDER BY seq`,
    )
    assert.deepEqual(
      own.slice(0, 5).map((r) => [r.rest === null ? null : JSON.parse(r.rest as string), r.k]),
      [
        [null, true],
        [{ kubernetes: { labels: { app: 'x' }, host: 7 }, after: [1] }, false],
        [{ x: 1, kubernetes: { labels: { app: 'x' }, host: 7 }, y: 'two' }, false],
        [null, true],
        [{ x: 2 }, true],
      ],
    )
    assert.deepEqual(await s.query(`SELECT rest FROM ${s.sharedSource(0, Number.MAX_SAFE_INTEGER)}`), [
      { rest: '{"kubernetes":{"labels":{"app":"x"},"host":7}}' },
    ])
    assert.deepEqual(
      s.catalog
        .entries()
        .map((e) => `${e.name}:${e.type}`)
        .sort(),
      ['after:object', 'kubernetes.host:number', 'kubernetes.labels.app:string', 'x:number', 'y:string'],
    )
    await s.close()
  })

  test("WAL rows of documents sharing a kubernetes object: the fast path writes walRow's bytes, the parts join to the rest of copies", () => {
    const strings = ['p', '', 'x\u0001y\u0002z', 'lone \ud800', '😀 é', 'a\nb']
    const k8s = (v: string) => ({ pod_name: v, namespace_name: 'n', host: v, labels: { [v]: v }, container_name: 7 })
    const docs = (k: (v: string) => Record<string, unknown>) =>
      strings.flatMap((v) => {
        const kk = k(v)
        return [
          { '@timestamp': '2026-11-21T10:00:00Z', log: v, stream: 'stdout', time: v, kubernetes: kk },
          { message: v, level: v, kubernetes: kk },
          { kubernetes: kk, log: v, extra: v },
          { kubernetes: shareValue({ pod_name: v }), log: v },
        ]
      })
    const write = (ds: Array<Record<string, unknown>>) => {
      const w = new WalWriter(ds.length)
      ds.forEach((d, i) => {
        const a = analyze(d)
        w.row(timestampMicros(a.timestamp) ?? 0, i, 'logs', i % 3 ? null : `id${i}`, a.mask, d)
      })
      return Buffer.from(w.bytes())
    }
    const sharedDocs = docs((v) => shareValue(k8s(v)))
    const seen = new Map<string, string>()
    const expected = sharedDocs
      .map((d, i) =>
        walRow(
          timestampMicros(analyze(d).timestamp) ?? 0,
          i,
          'logs',
          i % 3 ? null : `id${i}`,
          analyze(d).mask,
          d,
          seen,
        ),
      )
      .join('')
    // each part's text once (at its first row), referenced by the others
    assert.equal(seen.size, strings.length)
    assert.equal(expected.split('{"kubernetes":').length - 1, strings.length * 2)
    const plain = docs(k8s)
    for (const [i, d] of sharedDocs.entries()) {
      const mask = analyze(d).mask
      const part = splitOf(d, mask)
      assert.equal(part !== undefined, i % 4 < 2)
      const whole = part ? mergeRest(ownRestText(d, mask), part.text) : restText(d, mask)
      const copy = restText(plain[i]!, mask)
      assert.equal(whole === null ? null : wellFormedJson(whole), copy === null ? null : wellFormedJson(copy))
    }
    // lone surrogates become U+FFFD in UTF-8 on both paths
    assert.deepEqual(write(sharedDocs), Buffer.from(expected))
    assert.deepEqual(write(sharedDocs), Buffer.from(expected)) // memos made
    // numbers written digit by digit, or as text when not a safe integer
    const doc = { log: 'x', kubernetes: shareValue({ pod_name: 'p' }) }
    for (const n of [0, 9, 10, 1_796_284_022_678_000, 2 ** 53 - 1, 2 ** 53 + 2, 253402300799999000, 1.5]) {
      const w = new WalWriter(1)
      w.row(n, n, 'i', null, analyze(doc).mask, doc)
      assert.equal(w.bytes().toString(), walRow(n, n, 'i', null, analyze(doc).mask, doc), String(n))
    }
  })

  test('a `__proto__` key is kept like any other key (JSON.parse makes it an own property)', async () => {
    const s = await open(dir())
    const text =
      '{"log":"x","__proto__":{"a":1},"kubernetes":{"pod_name":"p","__proto__":{"b":2},"labels":{"__proto__":3}}}'
    await put(s, [JSON.parse(text)])
    await s.refresh()
    const [row] = (await s.query(`SELECT * FROM ${s.source(0, Number.MAX_SAFE_INTEGER)}`)) as unknown as StoredRow[]
    assert.equal(JSON.stringify(rowToRecord(row!)), JSON.stringify(JSON.parse(text)))
    await s.close()
  })

  test('bad timestamps are refused with the reason', async () => {
    const s = await open(dir())
    const r = s.prepare({ body: { '@timestamp': 'not a date' }, index: 'x' }, 0)
    assert.ok('error' in r)
    assert.match(r.error, /failed to parse field \[@timestamp\]/)
    await s.close()
  })

  test('retention deletes whole partitions by age and by size, never the newest', async () => {
    const d = dir()
    const s = await open(d)
    const days = ['2026-11-01', '2026-11-10', '2026-11-20', '2026-11-21']
    for (const day of days) await put(s, [{ '@timestamp': `${day}T12:00:00Z`, log: day }])
    await s.refresh()
    const now = Date.parse('2026-11-21T13:00:00Z')
    const byAge = await applyRetention(s, { maxAgeSeconds: 7 * 86400 }, now)
    assert.deepEqual(
      byAge.map((x) => [x.day, x.reason]),
      [
        ['2026-11-01', 'age'],
        ['2026-11-10', 'age'],
      ],
    )
    assert.equal(existsSync(join(d, 'parts', '2026-11-01.duckdb')), false)
    const bySize = await applyRetention(s, { maxBytes: 1 }, now)
    assert.deepEqual(
      bySize.map((x) => [x.day, x.reason]),
      [['2026-11-20', 'size']],
    )
    assert.deepEqual(
      s.listPartitions().map((p) => p.day),
      ['2026-11-21'],
    )
    assert.equal(await count(s), 1)
    await s.close()
  })
})

describe('field catalog', () => {
  test('learns each leaf path once, skips the keys moved to columns, and is bounded', () => {
    const pc = new PathCollector(5)
    const out: CatalogEntry[] = []
    pc.collect(
      { log: 'x', kubernetes: { pod_name: 'p', labels: { 'app.kubernetes.io/name': 'a' } }, n: 1 },
      2 | 128,
      out,
    )
    pc.collect(
      { log: 'y', kubernetes: { pod_name: 'q', labels: { 'app.kubernetes.io/name': 'b' } }, n: 'one' },
      2 | 128,
      out,
    )
    assert.deepEqual(out, [
      {
        name: 'kubernetes.labels.app.kubernetes.io/name',
        ptr: '/kubernetes/labels/app.kubernetes.io~1name',
        type: 'string',
      },
      { name: 'n', ptr: '/n', type: 'number' },
      { name: 'n', ptr: '/n', type: 'string' },
    ])
    for (let i = 0; i < 10; i++) pc.collect({ [`user_${i}`]: i }, 0, out)
    assert.equal(out.length, 4) // one more node fits (5 nodes), the rest overflow
    assert.equal(pc.overflow, 9)
  })
})

describe('data directory lock', () => {
  test('refused while another live process holds it, with its pid', async () => {
    const d = dir()
    const other = spawn('sleep', ['30'], { stdio: 'ignore' })
    try {
      writeFileSync(join(d, 'sluice.lock'), `${other.pid}\n`)
      assert.throws(
        () => lockDataDir(d),
        (e: Error) => e instanceof LockedError && e.message.includes(`pid ${other.pid}`) && e.message.includes(d),
      )
      await assert.rejects(open(d), /in use by another sluice server/)
    } finally {
      other.kill('SIGKILL')
    }
  })

  test('a stale lock (dead pid) is taken over and reported', async () => {
    const d = dir()
    const gone = spawn('true')
    await new Promise((r) => gone.on('exit', r))
    writeFileSync(join(d, 'sluice.lock'), `${gone.pid}\n`)
    const lock = lockDataDir(d)
    assert.equal(lock.tookOverStale, gone.pid)
    lock.release()
    assert.equal(existsSync(join(d, 'sluice.lock')), false)
  })

  test('a second store on the same directory in one process is refused', async () => {
    const d = dir()
    const s = await open(d)
    await assert.rejects(open(d), (e: Error) => e instanceof LockedError && e.message.includes(`pid ${process.pid}`))
    await s.close()
    assert.equal(existsSync(join(d, 'sluice.lock')), false)
  })
})

test('a WAL segment that cannot be loaded is moved to wal-failed/ after 5 attempts; its rows are counted, not lost silently', async () => {
  const d = dir()
  const log = memoryLogger()
  const s = await Store.open({ dir: d, log, segmentMaxAgeMs: 50 })
  try {
    // the day's partition path is a directory: every ATTACH of it fails
    mkdirSync(join(d, 'parts', '2026-11-21.duckdb'), { recursive: true })
    await put(
      s,
      [1, 2, 3].map((i) => ({ '@timestamp': `2026-11-21T10:00:0${i}Z`, log: `row ${i}` })),
    )
    await s.refresh()
    assert.equal(s.droppedSegments, 1)
    assert.equal(s.droppedRows, 3)
    assert.equal(readdirSync(join(d, 'wal-failed')).length, 1, 'the segment is kept on disk')
    assert.ok(log.lines.some((l) => /its 3 rows are NOT searchable/.test(l)))
  } finally {
    await s.close()
  }
})

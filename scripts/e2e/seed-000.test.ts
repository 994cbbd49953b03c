// Seed 000's ConfigMap end to end: the manifest exactly as the post shows it (indentation lost, so
// it is not valid YAML and its classic files are unindented) is copied, and only what points at the
// post's cluster is changed: the tail Path and DB go to a temp dir, the http output's Host/Port to a
// local node:http receiver standing in for Logstash, the monitoring server is turned off (tests run
// side by side), and the kubernetes filter gets `Use_Tag_For_Meta On` (there is no API server at
// kubernetes.default.svc here) with the tag prefix of the temp dir. Docker json-file logs named
// hello*.log are appended while a real `sluice agent` runs; every record must reach the receiver
// once, in Fluent Bit's `Format json` (a JSON array per request, the `date` key first as a double).

import assert from 'node:assert/strict'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { test } from 'node:test'
import { coreTestdata, sluice, tempDir, until } from './helpers.ts'

interface Received {
  readonly method: string
  readonly url: string
  readonly type: string
  readonly body: string
}

async function receiver(): Promise<{ port: number; requests: Received[]; close(): Promise<void> }> {
  const requests: Received[] = []
  const srv = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const c of req) body += c
    requests.push({ method: req.method!, url: req.url!, type: String(req.headers['content-type']), body })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    port: (srv.address() as { port: number }).port,
    requests,
    close: () => new Promise((r) => srv.close(() => r())),
  }
}

const ID_A = 'a'.repeat(64)
const ID_B = 'b'.repeat(64)

test("seed 000's ConfigMap: docker json-file logs → tail (Parser docker) → kubernetes (tag meta) → stdout + http", async () => {
  const dir = await tempDir('seed000')
  const rx = await receiver()
  try {
    const logs = join(dir.path, 'containers')
    await mkdir(logs)
    const files = {
      a: join(logs, `hello-7f9c6d5b4-abcde_default_hello-${ID_A}.log`),
      b: join(logs, `hello-world-1_demo_app-${ID_B}.log`),
      other: join(logs, `goodbye-1_default_app-${'c'.repeat(64)}.log`), // not hello*.log
    }
    for (const f of Object.values(files)) await writeFile(f, '')

    const edits: [string | RegExp, string][] = [
      ['HTTP_Server On', 'HTTP_Server Off'],
      ['Host amazonaws.com\nPort 8080', `Host 127.0.0.1\nPort ${rx.port}`],
      ['Path /var/log/containers/hello*.log', `Path ${logs}/hello*.log`],
      ['DB /var/log/flb_kube.db', `DB ${join(dir.path, 'flb_kube.db')}`],
      ['Refresh_Interval 10', 'Refresh_Interval 1'],
      [
        'Kube_Tag_Prefix kube.var.log.containers.',
        `Kube_Tag_Prefix kube.${logs.slice(1).replaceAll('/', '.')}.\nUse_Tag_For_Meta On`,
      ],
    ]
    let cm = await readFile(join(coreTestdata, 'seed-000-configmap.yaml'), 'utf8')
    for (const [from, to] of edits) {
      const next = cm.replace(from, to)
      assert.notEqual(next, cm, `edit applies: ${from}`)
      cm = next
    }
    const cmFile = join(dir.path, 'configmap.yaml')
    await writeFile(cmFile, cm)

    const agent = sluice(['agent', '-c', cmFile])
    try {
      // Files present at start are tailed from their end (no Read_From_Head), and tail's first scan
      // runs after the engine says `started`: append warm-up lines until one from each file arrives,
      // so the records below are all written after the files were opened.
      await until('the agent to start', () => /\[engine\] started/.test(agent.output()), 30_000, agent.output)
      const warm = new Set<string>()
      let k = 0
      await until(
        'a warm-up record from each hello*.log file',
        async () => {
          for (const r of rx.requests)
            for (const rec of JSON.parse(r.body) as { log?: string; kubernetes?: { pod_name?: string } }[])
              if (String(rec.log).startsWith('warm-up')) warm.add(String(rec.kubernetes?.pod_name))
          if (warm.size === 2) return true
          k++
          for (const f of [files.a, files.b])
            await appendFile(
              f,
              `${JSON.stringify({ log: `warm-up ${k}\n`, stream: 'stdout', time: new Date().toISOString() })}\n`,
            )
          await new Promise((r) => setTimeout(r, 250))
        },
        30_000,
        agent.output,
      )
      const want = new Map<string, { file: 'a' | 'b'; sec: number; ms: number; log: string; stream: string }>()
      const base = Date.UTC(2026, 10, 22, 7, 30, 0) / 1000
      for (let round = 0; round < 5; round++) {
        const text = { a: '', b: '', other: '' }
        for (let i = 0; i < 100; i++) {
          const n = round * 100 + i
          const file = n % 3 === 0 ? 'b' : 'a'
          const id = `rec-${n}`
          // plain text, and JSON that Merge_Log parses into log_processed
          const log = n % 2 ? `hello from ${id}\n` : `${JSON.stringify({ id, level: 'info', n })}\n`
          const stream = n % 5 === 0 ? 'stderr' : 'stdout'
          const ms = n % 1000
          const time = `${new Date((base + n) * 1000 + ms).toISOString()}`
          want.set(id, { file, sec: base + n, ms, log, stream })
          text[file] += `${JSON.stringify({ log, stream, time })}\n`
          text.other += `${JSON.stringify({ log: `not-hello ${id}\n`, stream, time })}\n`
        }
        for (const k of ['a', 'b', 'other'] as const) await appendFile(files[k], text[k])
        await new Promise((r) => setTimeout(r, 100))
      }

      const records = () =>
        rx.requests
          .flatMap((r) => JSON.parse(r.body) as Record<string, unknown>[])
          .filter((rec) => !String(rec.log).startsWith('warm-up'))
      await until(
        `${want.size} records at the receiver`,
        () => records().length >= want.size,
        30_000,
        () => `${records().length} received; agent:\n${agent.output().slice(-3000)}`,
      )
      // a moment more: anything sent twice would show up now
      await new Promise((r) => setTimeout(r, 1500))

      for (const r of rx.requests) {
        assert.equal(r.method, 'POST')
        assert.equal(r.url, '/')
        assert.equal(r.type, 'application/json')
        assert.match(r.body, /^\[\{"date":\d+(\.\d+)?,"log":/, 'Format json: an array, the date key first')
      }
      const got = records()
      const ids = new Map<string, number>()
      for (const rec of got) {
        const id = /rec-\d+/.exec(String(rec.log))?.[0]
        assert.ok(id, `record from a hello*.log file: ${JSON.stringify(rec)}`)
        ids.set(id, (ids.get(id) ?? 0) + 1)
        const w = want.get(id)!
        assert.equal(rec.date, w.sec + w.ms / 1000, `${id} date is the docker time as a double`)
        const ns = w.file === 'a' ? 'default' : 'demo'
        const expected: Record<string, unknown> = {
          date: rec.date,
          log: w.log,
          stream: w.stream,
          // seed 000's docker parser: Time_Keep off drops `time`
          ...(w.log.startsWith('{') ? { log_processed: JSON.parse(w.log) } : {}),
          kubernetes: {
            pod_name: w.file === 'a' ? 'hello-7f9c6d5b4-abcde' : 'hello-world-1',
            namespace_name: ns,
            container_name: w.file === 'a' ? 'hello' : 'app',
            docker_id: w.file === 'a' ? ID_A : ID_B,
          },
        }
        assert.deepEqual(rec, expected, id)
      }
      assert.equal(ids.size, want.size, 'every record arrived')
      assert.deepEqual(
        [...ids].filter(([, n]) => n !== 1),
        [],
        'no record arrived twice',
      )
      // the stdout output printed the same records
      assert.equal(agent.output().match(/^\[\d+\] kube\.\S*hello\S*: \[\[.*rec-\d+/gm)?.length ?? 0, want.size)
    } finally {
      assert.equal(await agent.stop(), 0, agent.output().slice(-3000))
    }
  } finally {
    await rx.close()
    await dir.remove()
  }
})

// End to end, as a user runs it: a `sluice agent` child with a `dummy` input (which cannot read
// anything again) buffered on the filesystem, its http output down (a closed port, Retry_Limit
// no_limits), killed with SIGKILL. Restarted with the destination up, it replays the chunks the
// first run left on disk: every record of the first run is delivered, and the chunks are deleted.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decodeChunk } from './chunk-file.ts'

const repo = resolve(fileURLToPath(import.meta.url), '../../../../../..')
const bin = join(repo, 'packages/cli/bin/sluice.js')

function startAgent(conf: string): { child: ChildProcess; log: () => string } {
  let log = ''
  const child = spawn(process.execPath, [bin, 'agent', '-c', conf], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => (log += d))
  child.stderr!.on('data', (d) => (log += d))
  return { child, log: () => log }
}

const exited = (c: ChildProcess) =>
  new Promise<number | string>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode ?? c.signalCode!)
    else c.once('exit', (code, sig) => r(code ?? sig!))
  })

async function until(what: string, cond: () => Promise<boolean>, log: () => string, ms = 20_000) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; agent log:\n${log()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Records per `run` in the chunk files left under the buffer dir. */
async function onDisk(dir: string): Promise<{ files: number; run1: number }> {
  let files = 0
  let run1 = 0
  for (const d of await readdir(dir).catch(() => [] as string[])) {
    if (d === 'quarantine') continue
    for (const f of await readdir(join(dir, d)).catch(() => [] as string[])) {
      if (!f.endsWith('.chunk')) continue
      // A running agent deletes delivered chunks: one listed a moment ago may be gone already.
      const text = await readFile(join(dir, d, f), 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined
        throw e
      })
      if (text === undefined) continue
      files++
      const c = decodeChunk(text)
      run1 += c.events.filter((e) => e.body.run === 1).length
    }
  }
  return { files, run1 }
}

const conf = (buf: string, port: number, run: number) => `[SERVICE]
    Flush                   0.2
    Grace                   1
    Log_Level               info
    scheduler.base          1
    scheduler.cap           1
    storage.path            ${buf}
    storage.checksum        on

[INPUT]
    Name          dummy
    Dummy         {"run":${run}}
    Rate          200
    Tag           app
    storage.type  filesystem

[OUTPUT]
    Name         http
    Match        app
    Host         127.0.0.1
    Port         ${port}
    Format       json_lines
    Retry_Limit  no_limits
`

test('dummy input with filesystem storage: killed with SIGKILL while the output is down, every record is delivered after restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fs-crash-'))
  const buf = join(dir, 'buf')
  const children: ChildProcess[] = []
  let server: Server | undefined
  try {
    const port = await freePort()
    const c1 = join(dir, 'run1.conf')
    await writeFile(c1, conf(buf, port, 1))
    const first = startAgent(c1)
    children.push(first.child)
    await until('chunks with records on disk', async () => (await onDisk(buf)).run1 >= 150, first.log)
    first.child.kill('SIGKILL')
    assert.equal(await exited(first.child), 'SIGKILL')
    const left = await onDisk(buf)
    assert.ok(left.run1 >= 150)

    let received1 = 0
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        for (const line of body.split('\n')) if (line.trim() !== '' && JSON.parse(line).run === 1) received1++
        res.end('{}')
      })
    })
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r))
    const c2 = join(dir, 'run2.conf')
    await writeFile(c2, conf(buf, port, 2))
    const second = startAgent(c2)
    children.push(second.child)
    await until(
      'every record of the first run delivered and its chunks deleted',
      async () => received1 >= left.run1 && (await onDisk(buf)).run1 === 0,
      second.log,
    )
    assert.equal(received1, left.run1, 'each record of the first run exactly once')
    assert.match(second.log(), /replaying \d+ chunk\(s\)/)
    second.child.kill('SIGTERM')
    assert.equal(await exited(second.child), 0, second.log())
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    server?.close()
    await rm(dir, { recursive: true, force: true })
  }
})

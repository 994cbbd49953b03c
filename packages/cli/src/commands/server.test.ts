import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-server-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function run(args: string[]): {
  child: ChildProcess
  out: Promise<string>
  exit: Promise<number | null>
  err: () => string
} {
  const child = spawn(process.execPath, [CLI, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c) => (err += c))
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const ready = new Promise<string>((resolve) => {
    child.stdout!.on('data', (c) => {
      out += c
      if (out.includes('ready\n')) resolve(out)
    })
    void exit.then(() => resolve(out))
  })
  return { child, out: ready, exit, err: () => err }
}

describe('sluice server (command)', () => {
  test('starts with no configuration on ephemeral ports, one port per line, and a second server on the same data is refused', async () => {
    const data = join(dir, 'data')
    const a = run(['--data', data, '--es-port', '0', '--ui-port', '0', '--forward-port', '0'])
    const out = await a.out
    assert.match(out, /^es_port=\d+\nui_port=\d+\nforward_port=\d+\nready\n$/)
    const es = /es_port=(\d+)/.exec(out)![1]
    const r = await fetch(`http://127.0.0.1:${es}/`)
    assert.equal((await r.json()).tagline, 'You Know, for Search')

    const b = run(['--data', data, '--es-port', '0', '--ui-port', '0', '--forward-port', 'off'])
    assert.equal(await b.exit, 1)
    assert.match(b.err(), /data directory .* is in use by another sluice server \(pid \d+\)/)

    a.child.kill('SIGTERM')
    assert.equal(await a.exit, 0)
  })

  test('SIGTERM with a keep-alive request in flight: the request is answered and the server exits', async () => {
    // Regression: the idle keep-alive connection held http.Server.close() open (scripts/e2e/testdata).
    const a = run(['--data', join(dir, 'ka'), '--es-port', '0', '--ui-port', '0', '--forward-port', 'off'])
    const port = Number(/es_port=(\d+)/.exec(await a.out)![1])
    const agent = new Agent({ keepAlive: true })
    const body = '{"index":{"_index":"ka"}}\n{"m":1}\n'
    let status = 0
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/_bulk',
          method: 'POST',
          agent,
          headers: { 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          status = res.statusCode!
          res.resume()
          res.on('end', () => resolve())
        },
      )
      req.flushHeaders()
      setTimeout(() => {
        a.child.kill('SIGTERM')
        setTimeout(() => req.end(body), 200)
      }, 200)
    })
    await done
    assert.equal(status, 200)
    assert.equal(await a.exit, 0)
    agent.destroy()
  })

  test('a bad config file is reported all at once, with each key', async () => {
    const cfg = join(dir, 'bad.yaml')
    writeFileSync(
      cfg,
      'es_port: 99999\nretention: { max_age: soon }\nauth: { tokens: [{ token: short, scope: writer }] }\nbogus: 1\n',
    )
    const c = run(['--config', cfg])
    assert.equal(await c.exit, 2)
    const err = c.err()
    for (const want of [
      /es_port: '99999' is not a port/,
      /retention.max_age: 'soon'/,
      /auth.tokens\[0\].token/,
      /scope 'writer'/,
      /bogus: unknown setting/,
    ])
      assert.match(err, want)
  })

  test('bad flags exit 2 with the usage', async () => {
    const c = run(['--es-port', 'x'])
    assert.equal(await c.exit, 2)
    assert.match(c.err(), /--es-port: 'x' is not a port/)
  })
})

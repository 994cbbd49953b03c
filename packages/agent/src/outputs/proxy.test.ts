// Outbound proxies (proxy.ts) over real sockets: a small HTTP proxy that tunnels CONNECT requests and
// forwards absolute-form requests, in front of a real HTTP server.

import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { after, before, beforeEach, describe, test } from 'node:test'
import { startOutput } from '../testing/plugin-harness.ts'
import http from './basic/http.ts'
import { createSender } from './es/sender.ts'
import { envProxy, proxyOptionProblem, routeDescription } from './proxy.ts'

/** What the proxy was asked: `CONNECT host:port` or `GET http://…` (absolute form). */
const proxied: string[] = []
const received: { url: string; body: string }[] = []
let target: Server
let proxy: Server
let targetPort = 0
let proxyPort = 0
const sockets = new Set<Socket>()

before(async () => {
  target = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      received.push({ url: req.url!, body })
      res.end('{"took":1,"errors":false,"items":[]}')
    })
  })
  proxy = createServer((req, res) => {
    // absolute form: `POST http://host:port/path`
    proxied.push(`${req.method} ${req.url}`)
    const u = new URL(req.url!)
    const up = httpRequest(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode!, r.headers)
        r.pipe(res)
      },
    )
    req.pipe(up)
  })
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    proxied.push(`CONNECT ${req.url}`)
    const [host, port] = req.url!.split(':')
    const up = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      up.write(head)
      up.pipe(client)
      client.pipe(up)
    })
    for (const s of [up, client]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r))
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  targetPort = (target.address() as AddressInfo).port
  proxyPort = (proxy.address() as AddressInfo).port
})
after(async () => {
  for (const s of sockets) s.destroy()
  target.closeAllConnections()
  proxy.closeAllConnections()
  await new Promise<void>((r) => target.close(() => r()))
  await new Promise<void>((r) => proxy.close(() => r()))
})
beforeEach(() => {
  proxied.length = 0
  received.length = 0
})

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']
/** Runs `fn` with exactly these proxy variables set, then restores the environment. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]))
  for (const k of PROXY_VARS) delete process.env[k]
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

const events = [{ sec: 1795332600, nsec: 0, body: { log: 'through' } }]

async function sendWithHttpOutput(extra: Record<string, string> = {}): Promise<void> {
  const h = await startOutput(http, {
    host: '127.0.0.1',
    port: String(targetPort),
    uri: '/in',
    format: 'json_lines',
    ...extra,
  })
  try {
    assert.deepEqual(await h.flush(events, 't'), { kind: 'ok' })
  } finally {
    await h.stop()
  }
}

describe('outbound proxies', () => {
  test('the http output proxy option sends absolute-form requests to that proxy', async () => {
    await withEnv({}, () => sendWithHttpOutput({ proxy: `http://127.0.0.1:${proxyPort}` }))
    assert.deepEqual(proxied, [`POST http://127.0.0.1:${targetPort}/in`])
    assert.deepEqual(received, [{ url: '/in', body: '{"date":1795332600.0,"log":"through"}\n' }])
  })

  test('HTTP_PROXY in the environment tunnels the http output through CONNECT', async () => {
    await withEnv({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}` }, () => sendWithHttpOutput())
    assert.deepEqual(proxied, [`CONNECT 127.0.0.1:${targetPort}`])
    assert.equal(received.length, 1)
  })

  test('http_proxy (lower case) works too; NO_PROXY naming the host goes direct', async () => {
    await withEnv({ http_proxy: `http://127.0.0.1:${proxyPort}` }, () => sendWithHttpOutput())
    assert.deepEqual(proxied, [`CONNECT 127.0.0.1:${targetPort}`])
    proxied.length = 0
    await withEnv({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: 'localhost,127.0.0.1' }, () =>
      sendWithHttpOutput(),
    )
    assert.deepEqual(proxied, [])
    assert.equal(received.length, 2)
  })

  test('the es/cloudwatch sender goes through HTTP_PROXY', async () => {
    await withEnv({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}` }, async () => {
      const sender = createSender({
        host: '127.0.0.1',
        port: targetPort,
        tls: false,
        tlsVerify: true,
        gzip: false,
        connectTimeoutMs: 5000,
        timeoutMs: 5000,
        keepAlive: true,
      })
      try {
        const r = await sender.send('POST', '/_bulk', '{"create":{}}\n{"a":1}\n')
        assert.equal(r.kind, 'response')
        assert.equal((r as { status: number }).status, 200)
      } finally {
        await sender.close()
      }
    })
    assert.deepEqual(proxied, [`CONNECT 127.0.0.1:${targetPort}`])
    assert.deepEqual(received, [{ url: '/_bulk', body: '{"create":{}}\n{"a":1}\n' }])
  })

  test('no proxy variables: requests go direct', async () => {
    await withEnv({}, () => sendWithHttpOutput())
    assert.deepEqual(proxied, [])
    assert.equal(received.length, 1)
  })
})

describe('proxy settings', () => {
  test('HTTP_PROXY wins over http_proxy; HTTPS_PROXY defaults to it; NO_PROXY either case', () => {
    assert.equal(envProxy({}), undefined)
    assert.deepEqual(envProxy({ HTTP_PROXY: 'http://a:1', http_proxy: 'http://b:2', no_proxy: '.svc' }), {
      httpProxy: 'http://a:1',
      httpsProxy: 'http://a:1',
      noProxy: '.svc',
    })
    assert.deepEqual(envProxy({ http_proxy: 'http://b:2', HTTPS_PROXY: 'http://c:3' }), {
      httpProxy: 'http://b:2',
      httpsProxy: 'http://c:3',
      noProxy: '',
    })
  })

  test('the proxy option must be an http:// URL; start-up and check refuse others', async () => {
    assert.equal(proxyOptionProblem('http://proxy.corp:3128'), undefined)
    assert.match(proxyOptionProblem('https://proxy.corp:3128')!, /expected http:\/\/HOST:PORT/)
    assert.match(proxyOptionProblem('proxy.corp:3128')!, /invalid proxy/)
    await assert.rejects(startOutput(http, { proxy: 'socks5://p:1080' }), /invalid proxy 'socks5:\/\/p:1080'/)
  })

  test('the route description never shows proxy credentials', () => {
    assert.equal(routeDescription({ env: {} }), 'directly')
    assert.equal(routeDescription({ proxy: 'http://u:secret@p:3128' }), 'through the proxy http://p:3128')
    const d = routeDescription({ env: { HTTP_PROXY: 'http://u:secret@p:3128', NO_PROXY: 'kubernetes.default.svc' } })
    assert.equal(
      d,
      'through the proxy http://p:3128 from the environment, except NO_PROXY hosts (kubernetes.default.svc)',
    )
  })
})

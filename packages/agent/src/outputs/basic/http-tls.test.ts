import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { startOutput } from '../../testing/plugin-harness.ts'
import http from './http.ts'

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

describe('http output over TLS (real certificates, 127.0.0.1)', () => {
  let dir: string
  let server: Server
  let port: number
  const peers: (string | undefined)[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-http-tls-'))
    const days = ['-days', '2']
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=sluice test CA',
      ...days,
    ])
    await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n')
    for (const name of ['server', 'client']) {
      openssl(dir, [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ])
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-extfile',
        'san.ext',
        ...days,
      ])
    }
    const ca = await readFile(join(dir, 'ca.crt'))
    server = createServer(
      {
        key: await readFile(join(dir, 'server.key')),
        cert: await readFile(join(dir, 'server.crt')),
        ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const s = req.socket as TLSSocket
        const cn = s.authorized ? s.getPeerCertificate().subject?.CN : undefined
        peers.push(Array.isArray(cn) ? cn[0] : cn)
        req.resume()
        req.on('end', () => res.writeHead(201).end())
      },
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(dir, { recursive: true, force: true })
  })

  const events = [{ sec: 1795332600, nsec: 0, body: { log: 'a' } }]
  const base = () => ({ host: '127.0.0.1', port: String(port), format: 'json', tls: 'on' })

  it('verifies the server with tls.ca_file and presents a client certificate', async () => {
    const h = await startOutput(http, {
      ...base(),
      'tls.ca_file': join(dir, 'ca.crt'),
      'tls.crt_file': join(dir, 'client.crt'),
      'tls.key_file': join(dir, 'client.key'),
    })
    assert.deepEqual(await h.flush(events, 't'), { kind: 'ok' })
    assert.equal(peers.at(-1), 'client')
    await h.stop()
  })

  it('refuses an unknown server certificate unless tls.verify is off', async () => {
    const strict = await startOutput(http, base())
    const r = await strict.flush(events, 't')
    assert.equal(r.kind, 'retry')
    assert.match((r as { reason: string }).reason, /certificate/i)
    await strict.stop()
    const lax = await startOutput(http, { ...base(), 'tls.verify': 'off' })
    assert.deepEqual(await lax.flush(events, 't'), { kind: 'ok' })
    await lax.stop()
  })
})

// TLS to the cluster: verified against a CA file, refused without it, accepted with tls.verify Off.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { startFakeEs } from '../../testing/fake-es.ts'
import { sampleEvents, startOutput } from '../../testing/plugin-harness.ts'
import { esOutputs } from './index.ts'

const dir = join(import.meta.dirname, '../../testing/testdata')
const cert = readFileSync(join(dir, 'localhost-cert.pem'))
const key = readFileSync(join(dir, 'localhost-key.pem'))
const es = esOutputs[0]!

test('es over TLS: verified with tls.ca_file; an unknown CA is a retry naming the certificate problem; tls.verify Off accepts it', async () => {
  const fake = await startFakeEs({ tls: { cert, key } })
  try {
    const base = { host: '127.0.0.1', port: String(fake.port), tls: 'on', suppress_type_name: 'on' }
    const ok = await startOutput(es, { ...base, 'tls.ca_file': join(dir, 'localhost-cert.pem') })
    assert.equal((await ok.flush(sampleEvents(2), 'app')).kind, 'ok')
    await ok.stop()

    const strict = await startOutput(es, base)
    const r = await strict.flush(sampleEvents(1), 'app')
    assert.equal(r.kind, 'retry')
    assert.match(r.kind === 'retry' ? r.reason : '', /SELF_SIGNED|self.signed|certificate/i)
    await strict.stop()

    const loose = await startOutput(es, { ...base, 'tls.verify': 'off' })
    assert.equal((await loose.flush(sampleEvents(1, 1_900_000_000), 'app')).kind, 'ok')
    await loose.stop()
    assert.equal(fake.count(), 3)
  } finally {
    await fake.close()
  }
})

test('es over mutual TLS: tls.crt_file and tls.key_file present a client certificate; without it the handshake fails', async () => {
  const fake = await startFakeEs({ tls: { cert, key, clientCa: cert } })
  try {
    const base = {
      host: 'localhost',
      port: String(fake.port),
      tls: 'on',
      'tls.ca_file': join(dir, 'localhost-cert.pem'),
      suppress_type_name: 'on',
    }
    const withCert = await startOutput(es, {
      ...base,
      'tls.crt_file': join(dir, 'localhost-cert.pem'),
      'tls.key_file': join(dir, 'localhost-key.pem'),
    })
    assert.equal((await withCert.flush(sampleEvents(2), 'app')).kind, 'ok')
    await withCert.stop()
    const without = await startOutput(es, base)
    assert.equal((await without.flush(sampleEvents(1, 1_900_000_000), 'app')).kind, 'retry')
    await without.stop()
    assert.equal(fake.count(), 2)
  } finally {
    await fake.close()
  }
})

test('Trace_Error logs the response of a bulk request that reported errors', async () => {
  const fake = await startFakeEs()
  try {
    fake.itemFault = ({ position }) =>
      position === 0 ? { status: 400, type: 'mapper_parsing_exception', reason: 'traced' } : undefined
    const h = await startOutput(es, {
      host: '127.0.0.1',
      port: String(fake.port),
      suppress_type_name: 'on',
      trace_error: 'on',
    })
    await h.flush(sampleEvents(2), 'app')
    assert.ok(
      h.ctx.log.lines.some((l) => /bulk request reported errors; response:/.test(l) && /"reason":"traced"/.test(l)),
    )
    await h.stop()
  } finally {
    await fake.close()
  }
})

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

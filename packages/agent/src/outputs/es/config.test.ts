// Seed 004's `es` output as written in a Fluent Bit classic config, loaded by the real loader and run
// by the real agent (dummy input → es) against the fake Elasticsearch.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '@sluice/core/config/load.ts'
import { createAgent } from '../../agent.ts'
import { startFakeEs } from '../../testing/fake-es.ts'

test('seed 004 es output from a classic config: 20 records in logs-YYYY.MM.DD with ECS dotted keys kept', async () => {
  const fake = await startFakeEs()
  const config = await loadConfig(join(import.meta.dirname, 'testdata/seed-004-es.conf'), {
    env: { ES_HOST: '127.0.0.1', ES_PORT: String(fake.port) },
  })
  assert.deepEqual(
    config.diagnostics.filter((d) => d.severity === 'error'),
    [],
  )
  const lines: string[] = []
  const agent = createAgent(config, { logWrite: (l) => lines.push(l), logLevel: 'info' })
  try {
    await agent.start()
    for (let i = 0; i < 800 && fake.count() < 20; i++) await new Promise((r) => setTimeout(r, 25))
    assert.equal(fake.count(), 20, lines.join('\n'))
    const [doc] = fake.docs()
    assert.match(doc!.index, /^logs-\d{4}\.\d{2}\.\d{2}$/)
    assert.equal(doc!.source['service.name'], 'api')
    assert.equal(doc!.source['kubernetes.pod.name'], 'api-7d9f8')
    assert.match(String(doc!.source['@timestamp']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    assert.match(doc!.id, /^[0-9a-f]{8}-/)
  } finally {
    await agent.stop()
    await fake.close()
  }
})

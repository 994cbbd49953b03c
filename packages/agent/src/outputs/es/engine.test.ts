// The `es` output inside the real engine: an input's acknowledgement reports exactly how many of its
// records were delivered and how many rejected (dead-lettered), after per-item retries.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createAgent } from '../../agent.ts'
import { bench, fastTiming, makeConfig } from '../../engine/test-helpers.ts'
import type { DeliveryOutcome } from '../../plugin.ts'
import { itemErrors, startFakeEs } from '../../testing/fake-es.ts'
import { sampleEvents } from '../../testing/plugin-harness.ts'
import { esOutputs } from './index.ts'

test('engine + es: per-item 429s are retried alone, a mapping error is rejected, the ack counts both', async () => {
  const fake = await startFakeEs()
  const dlq = await mkdtemp(join(tmpdir(), 'sluice-es-engine-'))
  const b = bench()
  fake.itemFault = ({ request, source }) => {
    if (source.seq === 3) return itemErrors.mapperParsing('seq')
    if (request === 1 && (source.seq as number) % 4 === 0) return itemErrors.rejected()
    return undefined
  }
  const agent = createAgent(
    makeConfig({
      service: { flush: 1 },
      inputs: [{ name: 'fake_in', tag: 'app' }],
      outputs: [
        {
          name: 'es',
          match: '*',
          host: '127.0.0.1',
          port: fake.port,
          suppress_type_name: 'on',
          generate_id: 'on',
          retry_limit: 3,
          'dlq.path': dlq,
        },
      ],
    }),
    {
      plugins: { inputs: b.plugins.inputs, filters: [], outputs: esOutputs },
      timing: fastTiming,
      logWrite: (l) => b.log.lines.push(l),
      logLevel: 'debug',
    },
  )
  try {
    await agent.start()
    const outcome = await new Promise<DeliveryOutcome>((resolve) => {
      b.input(agent.instances().inputs[0]!).emit('app', sampleEvents(10), resolve)
    })
    assert.deepEqual(outcome, { delivered: 9, rejected: 1 }, `${fake.count()} stored\n${b.log.lines.join('\n')}`)
    assert.equal(fake.count(), 9)
    // first request: 10 items; second: only the three 429s (seq 0, 4, 8)
    assert.deepEqual(
      fake.requests.map((r) => r.items.length),
      [10, 3],
    )
  } finally {
    await agent.stop()
    await fake.close()
    await rm(dlq, { recursive: true, force: true })
  }
})

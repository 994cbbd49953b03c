// Property: whatever mix of faults the cluster throws (whole-request 429/5xx, resets before or after
// applying, responses cut at any byte, per-item 429/503), a Generate_ID batch settles with every good
// record stored exactly once and every refused record dead-lettered exactly once, none in both.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { listFiles, readFileEntries } from '../../dlq/store.ts'
import { type Fault, faults, startFakeEs } from '../../testing/fake-es.ts'
import { flushUntilSettled, sampleEvents, startOutput } from '../../testing/plugin-harness.ts'
import { esOutputs } from './index.ts'

const faultArb: fc.Arbitrary<Fault | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(faults.tooManyRequests()),
  fc.constant(faults.unavailable()),
  fc.constant({ kind: 'reset' } as const),
  fc.constant({ kind: 'reset-after-apply' } as const),
  fc.record({
    kind: fc.constant('truncate' as const),
    bytes: fc.nat({ max: 4000 }),
    mode: fc.constantFrom('cut' as const, 'short' as const),
  }),
)

test('any fault script: good records stored exactly once, refused ones dead-lettered exactly once', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'sluice-es-prop-'))
  let run = 0
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(faultArb, { maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat({ max: 39 }), { maxLength: 5 }),
        fc.array(fc.tuple(fc.nat({ max: 39 }), fc.constantFrom(429, 503)), { maxLength: 8 }),
        async (script, n, badSeqs, itemFlaps) => {
          const fake = await startFakeEs()
          const dlq = join(tmp, `run-${run++}`)
          try {
            fake.failNext(...script.filter((f): f is Fault => f !== undefined))
            const bad = new Set(badSeqs.filter((s) => s < n))
            const flaps = new Map(itemFlaps.filter(([s]) => s < n))
            fake.itemFault = ({ source }) => {
              const seq = source.seq as number
              if (bad.has(seq)) return { status: 400, type: 'mapper_parsing_exception', reason: `bad ${seq}` }
              const f = flaps.get(seq)
              if (f !== undefined) {
                flaps.delete(seq) // fails once, then goes through
                return {
                  status: f,
                  type: f === 429 ? 'es_rejected_execution_exception' : 'unavailable_shards_exception',
                  reason: 'flap',
                }
              }
              return undefined
            }
            const h = await startOutput(esOutputs[0]!, {
              host: '127.0.0.1',
              port: String(fake.port),
              suppress_type_name: 'on',
              generate_id: 'on',
              index: 'p',
              'dlq.path': dlq,
            })
            const s = await flushUntilSettled(h, sampleEvents(n), 'app', 50)
            await h.stop()
            assert.equal(s.pending.length, 0, 'settled')
            const stored = fake.docs('p').map((d) => d.source.seq as number)
            assert.equal(new Set(stored).size, stored.length, 'no duplicates')
            const letters: number[] = []
            for (const f of await listFiles(dlq).catch(() => []))
              for (const e of (await readFileEntries(f)).entries) letters.push(e.record.body.seq as number)
            assert.deepEqual(
              [...letters].sort((a, b) => a - b),
              [...bad].sort((a, b) => a - b),
              'exactly the refused records are dead-lettered',
            )
            assert.deepEqual(
              stored.sort((a, b) => a - b),
              Array.from({ length: n }, (_, i) => i).filter((i) => !bad.has(i)),
              'every good record stored',
            )
          } finally {
            await fake.close()
          }
        },
      ),
      { numRuns: 40 },
    )
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
})

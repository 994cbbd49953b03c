import assert from 'node:assert/strict'
import { test } from 'node:test'
import { filters, inputs, outputs } from '../registry.ts'
import { planPipeline } from './plan.ts'
import { makeConfig } from './test-helpers.ts'

// Fluent Bit sets `.workers = 2` on its es, opensearch, forward and http outputs (docs: "Workers …
// Default 2"); every other output flushes one chunk at a time unless Workers says otherwise.
test('Workers defaults to 2 for es, opensearch, forward and http, to 1 elsewhere; an explicit Workers wins', () => {
  const plan = planPipeline(
    makeConfig({
      inputs: [{ Name: 'dummy' }],
      outputs: [
        { Name: 'es', Match: '*' },
        { Name: 'opensearch', Match: '*' },
        { Name: 'forward', Match: '*' },
        { Name: 'http', Match: '*' },
        { Name: 'file', Match: '*', Path: '/tmp' },
        { Name: 'null', Match: '*' },
        { Name: 'es', Match: '*', Workers: 1 },
        { Name: 'null', Match: '*', workers: 3 },
      ],
    }),
    { inputs, filters, outputs },
  )
  assert.deepEqual(
    plan.outputs.map((o) => [o.id, o.common.workers]),
    [
      ['es.0', 2],
      ['opensearch.0', 2],
      ['forward.0', 2],
      ['http.0', 2],
      ['file.0', 1],
      ['null.0', 1],
      ['es.1', 1],
      ['null.1', 3],
    ],
  )
})

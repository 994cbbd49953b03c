import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import js from './index.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-js-'))
  await writeFile(
    join(dir, 'ecs.ts'),
    `export default function (tag: string, time: { sec: number; nsec: number }, r: Record<string, unknown>) {
  if (r.drop) return [-1, time, r]
  if (r.keep) return [0, time, r]
  if (r.split) return [2, undefined, [{ part: 1 }, { part: 2 }]]
  if (r.retime) return [1, { sec: 5, nsec: 6 }, r]
  if (r.boom) throw new Error('boom')
  if (r.bad) return [9, time, r]
  r.tag = tag
  return [2, undefined, r]
}
export function batch(events: { body: Record<string, unknown> }[], tag: string) {
  return events.filter((e) => !e.body.drop).map((e) => ({ ...e, body: { ...e.body, batchTag: tag } }))
}
`,
  )
})
after(async () => rm(dir, { recursive: true, force: true }))

describe('js filter', () => {
  test('per-record contract: -1, 0, 1, 2, arrays, errors keep the record', async () => {
    const h = await setupFilter(js, [['path', join(dir, 'ecs.ts')]])
    const out = await h.run(
      [{ drop: 1 }, { keep: 1 }, { split: 1 }, { retime: 1 }, { boom: 1 }, { bad: 1 }, { plain: 1 }].map((body) => ({
        sec: 1,
        nsec: 2,
        body,
      })),
      'app',
    )
    assert.deepEqual(out, [
      { sec: 1, nsec: 2, body: { keep: 1 } },
      { sec: 1, nsec: 2, body: { part: 1 } },
      { sec: 1, nsec: 2, body: { part: 2 } },
      { sec: 5, nsec: 6, body: { retime: 1 } },
      { sec: 1, nsec: 2, body: { boom: 1 } },
      { sec: 1, nsec: 2, body: { bad: 1 } },
      { sec: 1, nsec: 2, body: { plain: 1, tag: 'app' } },
    ])
    assert.equal(h.ctx.metrics.counter('sluice_filter_js_errors_total', '').get({ name: 'test.0' }), 2)
  })

  test('batch form', async () => {
    const h = await setupFilter(js, [
      ['path', join(dir, 'ecs.ts')],
      ['call', 'batch'],
      ['batch', 'on'],
    ])
    assert.deepEqual(await h.bodies([{ drop: 1 }, { a: 1 }], 't'), [{ a: 1, batchTag: 't' }])
  })

  test('missing module or export is a precise error', async () => {
    await assert.rejects(setupFilter(js, [['path', join(dir, 'nope.ts')]]), /cannot load js module/)
    await assert.rejects(
      setupFilter(js, [
        ['path', join(dir, 'ecs.ts')],
        ['call', 'zzz'],
      ]),
      /no exported function 'zzz'/,
    )
  })
})

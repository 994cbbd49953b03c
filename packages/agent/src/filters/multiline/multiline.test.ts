import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { countingAck, setupFilter } from '../testing.ts'
import multiline from './index.ts'

const TRACE = [
  'java.lang.IllegalStateException: payment declined',
  '\tat com.example.PaymentClient.charge(PaymentClient.java:88)',
  '\tat com.example.OrderService.place(OrderService.java:41)',
]
const rec = (log: string, extra: Record<string, unknown> = {}) => ({ sec: 1, nsec: 0, body: { log, ...extra } })

describe('multiline filter', () => {
  test('a stack trace split over two batches is re-emitted once complete, holding both batch acks', async () => {
    const h = await setupFilter(multiline, [
      ['multiline.parser', 'java'],
      ['multiline.key_content', 'log'],
    ])
    const a1 = countingAck()
    const out1 = await h.run([rec('first line'), rec(TRACE[0]!), rec(TRACE[1]!)], 'app', a1)
    assert.deepEqual(
      out1.map((e) => e.body.log),
      ['first line'],
    )
    assert.equal(a1.held, 2, 'two lines of batch 1 wait in the joiner')

    const a2 = countingAck()
    const out2 = await h.run([rec(TRACE[2]!), rec('next message')], 'app', a2)
    assert.deepEqual(
      out2.map((e) => e.body.log),
      ['next message'],
    )
    assert.equal(h.ctx.emitted.length, 1)
    const em = h.ctx.emitted[0]!
    assert.equal(em.tag, 'app')
    assert.equal(em.events[0]!.body.log, TRACE.join('\n'))
    // the emitted record holds both batches until the engine releases it
    assert.equal(a1.held, 1)
    assert.equal(a2.held, 1)
    em.ack.release()
    assert.equal(a1.held, 0)
    assert.equal(a2.held, 0)
  })

  test('a message complete within one batch is returned in the batch', async () => {
    const h = await setupFilter(multiline, [['multiline.parser', 'python']])
    const ack = countingAck()
    const out = await h.run(
      [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 10, in <module>',
        '    main()',
        'ValueError: bad',
      ].map((l) => rec(l)),
      'py',
      ack,
    )
    assert.equal(out.length, 1)
    assert.equal(h.ctx.emitted.length, 0)
    assert.equal(ack.held, 0)
  })

  test('an incomplete message is emitted after flush_ms with its batch ack', async () => {
    const h = await setupFilter(multiline, [
      ['multiline.parser', 'java'],
      ['flush_ms', '30'],
    ])
    const ack = countingAck()
    assert.deepEqual(await h.run([rec(TRACE[0]!), rec(TRACE[1]!)], 'app', ack), [])
    while (h.ctx.emitted.length === 0) await sleep(10)
    assert.equal(h.ctx.emitted[0]!.events[0]!.body.log, `${TRACE[0]}\n${TRACE[1]}`)
    assert.equal(h.ctx.emitted[0]!.ack, ack)
    h.ctx.emitted[0]!.ack.release()
    assert.equal(ack.held, 0)
    await h.stop()
  })

  test('tags are separate streams', async () => {
    const h = await setupFilter(multiline, [['multiline.parser', 'java']])
    await h.run([rec(TRACE[0]!)], 'a')
    await h.run([rec(TRACE[0]!)], 'b')
    await h.run([rec(TRACE[1]!)], 'a')
    await h.flush()
    assert.deepEqual(
      h.ctx.emitted.map((x) => [x.tag, x.events[0]!.body.log]),
      [
        ['a', `${TRACE[0]}\n${TRACE[1]}`],
        ['b', TRACE[0]],
      ],
    )
  })

  test('buffer off joins within the batch and holds nothing', async () => {
    const h = await setupFilter(multiline, [
      ['multiline.parser', 'java'],
      ['buffer', 'off'],
    ])
    const ack = countingAck()
    const out = await h.run([rec('x'), rec(TRACE[0]!), rec(TRACE[1]!)], 'app', ack)
    assert.deepEqual(
      out.map((e) => e.body.log),
      ['x', `${TRACE[0]}\n${TRACE[1]}`],
    )
    assert.equal(ack.held, 0)
  })

  test('partial_message mode joins Docker partial messages by id and removes the markers', async () => {
    const h = await setupFilter(multiline, [
      ['mode', 'partial_message'],
      ['multiline.key_content', 'log'],
    ])
    const p = (log: string, id: string, ord: number, last: boolean) =>
      rec(log, {
        partial_message: 'true',
        partial_id: id,
        partial_ordinal: String(ord),
        partial_last: String(last),
        source: 'stdout',
      })
    const out = await h.run(
      [p('aaa', 'x', 1, false), p('111', 'y', 1, false), p('bbb', 'x', 2, true), rec('whole'), p('222', 'y', 2, true)],
      'docker',
    )
    assert.deepEqual(
      out.map((e) => e.body),
      [{ log: 'aaabbb', source: 'stdout' }, { log: 'whole' }, { log: '111222', source: 'stdout' }],
    )
  })

  test('unknown parsers and a missing parser are precise errors', async () => {
    await assert.rejects(setupFilter(multiline, [['multiline.parser', 'jav']]), /unknown multiline parser 'jav'/)
    await assert.rejects(setupFilter(multiline, []), /'multiline.parser' is required/)
  })
})

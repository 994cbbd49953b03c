import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SseParser } from './sse.ts'

test('SseParser: events split across chunks, comments ignored, ids tracked', () => {
  const p = new SseParser()
  assert.deepEqual(p.push(': ping\n\nid: c1\nevent: hi'), [])
  assert.deepEqual(p.push('ts\ndata: {"hits":[1]}\n'), [])
  assert.deepEqual(p.push('\n'), [{ id: 'c1', event: 'hits', data: '{"hits":[1]}' }])
  assert.equal(p.lastEventId, 'c1')
})

test('SseParser: CRLF and CR line ends, multi-line data, default event type', () => {
  const p = new SseParser()
  assert.deepEqual(p.push('data: a\r\ndata: b\r\n\r\ndata:c\r'), [{ id: undefined, event: 'message', data: 'a\nb' }])
  // A CR at the end of a chunk may be half of CRLF, so the blank line is only seen with the next byte.
  assert.deepEqual(p.push('\r\n'), [{ id: undefined, event: 'message', data: 'c' }])
})

test('SseParser: the last event id persists across events without an id', () => {
  const p = new SseParser()
  const out = p.push('id: 7\ndata: x\n\ndata: y\n\n')
  assert.deepEqual(
    out.map((e) => e.id),
    ['7', '7'],
  )
  assert.equal(p.lastEventId, '7')
})

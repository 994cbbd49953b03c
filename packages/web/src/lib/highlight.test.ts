import assert from 'node:assert/strict'
import { test } from 'node:test'
import { highlight } from './highlight.ts'

test('highlight: case-insensitive matches split into segments', () => {
  assert.deepEqual(highlight('Error: connection error', ['error']), [
    { text: 'Error', hit: true },
    { text: ': connection ', hit: false },
    { text: 'error', hit: true },
  ])
})

test('highlight: longest term wins when terms overlap', () => {
  assert.deepEqual(highlight('errors', ['errors', 'err']), [{ text: 'errors', hit: true }])
})

test('highlight: regex metacharacters are literal', () => {
  assert.deepEqual(highlight('GET /api/items?id=(1)', ['?id=(1)']), [
    { text: 'GET /api/items', hit: false },
    { text: '?id=(1)', hit: true },
  ])
})

test('highlight: Korean text and no terms', () => {
  assert.deepEqual(highlight('결제 실패: 잔액 부족', ['실패']), [
    { text: '결제 ', hit: false },
    { text: '실패', hit: true },
    { text: ': 잔액 부족', hit: false },
  ])
  assert.deepEqual(highlight('abc', []), [{ text: 'abc', hit: false }])
  assert.deepEqual(highlight('', ['a']), [{ text: '', hit: false }])
})

test('highlight: joining the segments gives back the text', () => {
  const text = 'a b a ba ab A'
  assert.equal(
    highlight(text, ['a', 'b'])
      .map((s) => s.text)
      .join(''),
    text,
  )
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DeadLetterEntry } from './entry.ts'
import { serializeEntry } from './writer.ts'

// Regression: a record nested 10,000 deep overflowed the stack in the dead-letter writer, which then
// failed (and retried) the whole batch it belonged to (scripts/hostile/log-lines.test.ts).
test('a record nested 10,000 levels deep is still written as one dead-letter line', () => {
  let body: Record<string, unknown> = { leaf: 1 }
  for (let i = 0; i < 10_000; i++) body = { n: body }
  const e = {
    reason: 'mapper_parsing_exception',
    tag: 'kube.x',
    index: 'logs',
    record: { sec: 1, nsec: 2, body },
  } as unknown as DeadLetterEntry
  const line = serializeEntry(e)
  const back = JSON.parse(line)
  assert.equal(back.reason, 'mapper_parsing_exception')
  assert.equal(back.tag, 'kube.x')
  assert.equal(back.record.sec, 1)
})

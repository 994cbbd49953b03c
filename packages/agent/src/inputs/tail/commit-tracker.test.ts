import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CommitTracker } from './commit-tracker.ts'

test('commits in order: a later batch acknowledged first waits for the earlier ones', () => {
  const commits: number[] = []
  const t = new CommitTracker(0, (o) => commits.push(o))
  const a = t.track(10)
  const b = t.track(20)
  const c = t.track(30)
  c()
  assert.deepEqual(commits, [])
  a()
  assert.deepEqual(commits, [10])
  b()
  assert.deepEqual(commits, [10, 30])
  assert.equal(t.committed, 30)
  assert.equal(t.pending, 0)
})

test('skipped bytes commit once everything before them is acknowledged; double acks are ignored', () => {
  const commits: number[] = []
  const t = new CommitTracker(5, (o) => commits.push(o))
  const a = t.track(10)
  t.skip(15)
  assert.deepEqual(commits, [])
  a()
  a()
  assert.deepEqual(commits, [15])
})

test('thousands of batches acknowledged in reverse order commit the last offset once', () => {
  const commits: number[] = []
  const t = new CommitTracker(0, (o) => commits.push(o))
  const acks = Array.from({ length: 5000 }, (_, i) => t.track((i + 1) * 100))
  for (let i = 2499; i >= 0; i--) acks[i]!()
  assert.deepEqual(commits, [250000])
  for (let i = acks.length - 1; i >= 2500; i--) acks[i]!()
  assert.deepEqual(commits, [250000, 500000])
  const more = t.track(500100)
  more()
  assert.equal(t.committed, 500100)
})

test('acknowledgements still land on the right batch after the tracker compacts its queue', () => {
  const commits: number[] = []
  const t = new CommitTracker(0, (o) => commits.push(o))
  const acks = Array.from({ length: 3000 }, (_, i) => t.track(i + 1))
  for (let i = 0; i < 2000; i++) acks[i]!() // compaction happens along the way
  assert.equal(t.committed, 2000)
  acks[2999]!()
  assert.equal(t.committed, 2000)
  for (let i = 2000; i < 2999; i++) acks[i]!()
  assert.equal(t.committed, 3000)
  assert.equal(t.pending, 0)
})

// kubernetes_events against the real API server (../shared/k8s).

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { resolveOptions } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { apiserver } from '../../../../../scripts/testing/k8s.ts'
import { testInputContext } from '../../testing/contexts.ts'
import kubernetesEvents, { eventTime } from './kubernetes-events.ts'
import { OrderedCommits } from './ordered-commits.ts'

const k8s = apiserver()
const run = randomBytes(3).toString('hex')
const ns = `sluice-ev-${run}`
const role = `sluice-test-events-${run}`
const tmp = mkdtempSync(join(tmpdir(), 'sluice-ev-'))
let tokenFile = ''

function createEvent(name: string, message: string): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  k8s.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: ns },
      reason: 'BackOff',
      message,
      type: 'Warning',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'kubelet' },
    }),
  )
}

async function collect(db: string, ack: boolean, until: (e: LogEvent[]) => boolean) {
  const r = resolveOptions(
    kubernetesEvents.options,
    Object.entries({
      kube_url: k8s.server,
      kube_ca_file: k8s.ca,
      kube_token_file: tokenFile,
      kube_namespace: ns,
      db,
    }).map(([key, value]) => ({ key, value })),
    { instance: 'input.kubernetes_events.0' },
  )
  assert.deepEqual(r.diagnostics, [])
  const ctx = testInputContext('k8s_events', ack)
  const st = await kubernetesEvents.init(r.values, ctx)
  await kubernetesEvents.start(st, ctx)
  const end = Date.now() + 20_000
  while (!until(ctx.events) && Date.now() < end) await new Promise((res) => setTimeout(res, 50))
  // Give a wrongly repeated event a moment to show up before stopping.
  await new Promise((res) => setTimeout(res, 300))
  await kubernetesEvents.stop!(st)
  return ctx
}

const messages = (es: LogEvent[]) => es.map((e) => e.body.message as string).sort()

before(() => {
  k8s.kubectl(['create', 'namespace', ns])
  k8s.kubectl(
    ['apply', '-f', '-'],
    [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agent', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: role },
        rules: [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: ns }],
      },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n'),
  )
  tokenFile = join(tmp, 'token')
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      writeFileSync(tokenFile, k8s.kubectl(['create', 'token', 'agent', '-n', ns]).trim())
      break
    } catch (e) {
      if (Date.now() > deadline) throw e
    }
  }
})

after(() => {
  try {
    k8s.kubectl(['delete', 'namespace', ns, '--wait=false'])
    k8s.kubectl(['delete', 'clusterrole,clusterrolebinding', role])
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

describe('kubernetes_events against a real API server', () => {
  test('events become records; a restart neither loses nor repeats them', async () => {
    const db = join(tmp, 'events.db')
    createEvent('e1', 'one')
    createEvent('e2', 'two')
    const first = await collect(db, true, (e) => e.length >= 2)
    assert.deepEqual(messages(first.events), ['one', 'two'])
    const e1 = first.events.find((e) => e.body.message === 'one')!
    assert.equal((e1.body.involvedObject as any).name, 'web-1')
    assert.equal(e1.sec, Math.floor(Date.parse(e1.body.lastTimestamp as string) / 1000))

    // While the agent is down, two more events happen.
    createEvent('e3', 'three')
    createEvent('e4', 'four')
    const second = await collect(db, true, (e) => e.length >= 2)
    assert.deepEqual(messages(second.events), ['four', 'three'])
  })

  test('events not acknowledged before a stop are delivered again after restart', async () => {
    const db = join(tmp, 'unacked.db')
    createEvent('u1', 'first')
    const a = await collect(db, true, (e) => e.some((x) => x.body.message === 'first'))
    assert.ok(a.events.length >= 1)
    createEvent('u2', 'unacked')
    // Runs from the persisted position, but never acknowledges what it emits.
    const b = await collect(db, false, (e) => e.some((x) => x.body.message === 'unacked'))
    assert.deepEqual(messages(b.events), ['unacked'])
    const c = await collect(db, true, (e) => e.some((x) => x.body.message === 'unacked'))
    assert.deepEqual(messages(c.events), ['unacked'])
  })
})

describe('event details', () => {
  test("time precedence: lastTimestamp, firstTimestamp, creationTimestamp (Fluent Bit's order)", () => {
    assert.equal(
      eventTime({ lastTimestamp: '2026-01-01T00:00:02Z', firstTimestamp: '2026-01-01T00:00:01Z' }).sec,
      Date.UTC(2026, 0, 1, 0, 0, 2) / 1000,
    )
    assert.equal(
      eventTime({ lastTimestamp: null, firstTimestamp: '2026-01-01T00:00:01Z' }).sec,
      Date.UTC(2026, 0, 1, 0, 0, 1) / 1000,
    )
    assert.equal(
      eventTime({ metadata: { creationTimestamp: '2026-01-01T00:00:03Z' } }).sec,
      Date.UTC(2026, 0, 1, 0, 0, 3) / 1000,
    )
    assert.deepEqual(eventTime({ eventTime: '2026-01-01T00:00:03.123456Z' }), {
      sec: Date.UTC(2026, 0, 1, 0, 0, 3) / 1000,
      nsec: 123456000,
    })
  })
  test('positions commit in order, only once delivered', () => {
    const committed: number[] = []
    const c = new OrderedCommits<number>((v) => committed.push(v))
    const a = c.add(1)
    const b = c.add(2)
    const d = c.add(3)
    b()
    assert.deepEqual(committed, [])
    a()
    assert.deepEqual(committed, [2])
    d()
    assert.deepEqual(committed, [2, 3])
  })
})

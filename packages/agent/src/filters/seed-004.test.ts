// Seed 004's pipeline end to end through the real filters: CRI lines joined by the `cri` multiline
// parser → records shaped as Fluent Bit's kubernetes filter emits them (Merge_Log On, Keep_Log Off,
// Labels On) → grep excluding health probes → modify adding cluster/env → nest lifting `kubernetes`
// with Add_prefix k8s_ and then `k8s_labels` with Add_prefix k8s_labels_ (one level per lift, so
// the seed's `k8s_labels_app` needs the second lift) → the seed's Lua ECS script, unchanged.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import type { AnyFilterPlugin } from '../plugin.ts'
import grep from './grep/index.ts'
import lua from './lua/index.ts'
import modify from './modify/index.ts'
import nest from './nest/index.ts'
import { countingAck, type FilterHarness, setupFilter } from './testing.ts'

// Seed 004's script, one copy for every test (packages/core/testdata cites where it comes from).
const SCRIPT = readFileSync(join(import.meta.dirname, '../../../core/testdata/ecs-enrichment.lua'), 'utf8')

const pods: Record<string, { container: string; labels: Record<string, string> }> = {
  'cart-7d9f8b6c5-x2x4q': { container: 'cart', labels: { app: 'cart', 'pod-template-hash': '7d9f8b6c5' } },
  'auth-5c6d7e8f9-abcde': {
    container: 'auth-server',
    labels: { 'app.kubernetes.io/name': 'auth', 'app.kubernetes.io/instance': 'auth-prod' },
  },
  'coredns-5d78c9869d-q8w2l': { container: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
}

/** What Fluent Bit's kubernetes filter makes of a CRI record (Merge_Log On, Keep_Log Off, Labels On). */
function kubernetesShaped(e: LogEvent, pod: string, namespace: string): LogEvent {
  const { log, ...rest } = e.body
  const p = pods[pod]!
  let merged: Record<string, unknown> = {}
  let keep: Record<string, unknown> = { log }
  try {
    const v = JSON.parse(String(log))
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      merged = v
      keep = {}
    }
  } catch {}
  return {
    sec: e.sec,
    nsec: e.nsec,
    body: {
      ...rest,
      ...keep,
      ...merged,
      kubernetes: {
        pod_name: pod,
        namespace_name: namespace,
        pod_id: '0d8f3b4e-1c2a-4f5e-9a7b-3c2d1e0f9a8b',
        labels: p.labels,
        annotations: { 'prometheus.io/scrape': 'true' },
        host: 'ip-10-0-1-23.ap-northeast-2.compute.internal',
        container_name: p.container,
        docker_id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
        container_hash: 'docker.io/library/app@sha256:abc',
        container_image: `docker.io/library/${p.container}:1.0`,
      },
    },
  }
}

test('seed 004: cri → kubernetes → grep → modify → nest → lua produces service.name and kubernetes.*', async () => {
  const { registry } = createMultilineRegistry([])
  const joiner = registry.create(['cri'])
  const lines: [string, string, string][] = [
    [
      'cart-7d9f8b6c5-x2x4q',
      'shop',
      '2026-11-22T07:30:00.100000000Z stdout F {"level":"info","msg":"order placed","order_id":42}',
    ],
    [
      'cart-7d9f8b6c5-x2x4q',
      'shop',
      '2026-11-22T07:30:00.200000000Z stdout F 10.0.0.1 - - "GET /healthz HTTP/1.1" 200 2',
    ],
    ['auth-5c6d7e8f9-abcde', 'auth', '2026-11-22T07:30:01.000000000Z stderr P {"level":"warn","msg":"token '],
    ['auth-5c6d7e8f9-abcde', 'auth', '2026-11-22T07:30:01.000000001Z stderr F expired","user":"u1"}'],
    [
      'coredns-5d78c9869d-q8w2l',
      'kube-system',
      '2026-11-22T07:30:02.000000000Z stdout F [INFO] plugin/ready: Still waiting',
    ],
    ['auth-5c6d7e8f9-abcde', 'auth', '2026-11-22T07:30:03.000000000Z stdout F GET /readyz 200'],
    [
      'cart-7d9f8b6c5-x2x4q',
      'shop',
      '2026-11-22T07:30:04.000000000Z stdout F {"level":"info","msg":"already named","service.name":"checkout"}',
    ],
  ]
  let events: LogEvent[] = []
  for (const [pod, ns, line] of lines) {
    for (const e of joiner.push({ sec: 0, nsec: 0, body: { log: line } }, pod))
      events.push(kubernetesShaped(e, pod, ns))
  }
  assert.equal(events.length, 6) // the P+F pair became one record

  const chain: [AnyFilterPlugin, [string, string][], Record<string, string>?][] = [
    [grep, [['Exclude', 'log /(healthz|readyz|livez)']]],
    [
      modify,
      [
        ['Add', 'cluster eco2-dev'],
        ['Add', 'env dev'],
      ],
    ],
    [
      nest,
      [
        ['Operation', 'lift'],
        ['Nested_under', 'kubernetes'],
        ['Add_prefix', 'k8s_'],
      ],
    ],
    [
      nest,
      [
        ['Operation', 'lift'],
        ['Nested_under', 'k8s_labels'],
        ['Add_prefix', 'k8s_labels_'],
      ],
    ],
    [
      lua,
      [
        ['script', '/fluent-bit/etc/ecs-enrichment.lua'],
        ['call', 'enrich_with_ecs_fields'],
      ],
      { '/fluent-bit/etc/ecs-enrichment.lua': SCRIPT },
    ],
  ]
  const harnesses: FilterHarness[] = []
  for (const [plugin, opts, files] of chain) harnesses.push(await setupFilter(plugin, opts, { files }))
  for (const h of harnesses) events = await h.run(events, 'kube.var.log.containers.x.log', countingAck())

  assert.equal(events.length, 4, 'health probes are gone')
  const [order, auth, dns, named] = events.map((e) => e.body)

  assert.equal(order!['service.name'], 'cart')
  assert.equal(order!['kubernetes.namespace'], 'shop')
  assert.equal(order!['kubernetes.pod.name'], 'cart-7d9f8b6c5-x2x4q')
  assert.equal(order!['kubernetes.container.name'], 'cart')
  assert.equal(order!.msg, 'order placed')
  assert.equal(order!.order_id, 42)
  assert.equal(order!.cluster, 'eco2-dev')
  assert.equal(order!.env, 'dev')
  assert.equal(order!.k8s_labels_app, 'cart')
  assert.equal(order!.k8s_host, 'ip-10-0-1-23.ap-northeast-2.compute.internal')
  assert.deepEqual(order!.k8s_annotations, { 'prometheus.io/scrape': 'true' }, 'other maps stay maps')
  assert.equal('kubernetes' in order!, false)
  assert.equal('log' in order!, false, 'Keep_Log Off')

  assert.equal(auth!['service.name'], 'auth', 'app.kubernetes.io/name when there is no app label')
  assert.equal(auth!.msg, 'token expired', 'CRI partial lines were joined before JSON merge')
  assert.equal(auth!['kubernetes.namespace'], 'auth')

  assert.equal(dns!['service.name'], 'coredns', 'container name as the last resort')
  assert.equal(dns!['kubernetes.container.name'], 'coredns')

  assert.equal(named!['service.name'], 'checkout', "the app's own service.name wins")

  // time came from the CRI line, through the script's `return 1, timestamp, record`
  assert.equal(events[0]!.sec, Date.UTC(2026, 10, 22, 7, 30, 0) / 1000)
  assert.equal(events[0]!.nsec, 100000000)
  for (const h of harnesses) await h.stop()
})

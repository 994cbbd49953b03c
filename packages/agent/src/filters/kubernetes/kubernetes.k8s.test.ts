// The kubernetes filter against the real API server in ../shared/k8s: a real service-account token
// checked by the API server, real RBAC, real watches.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { resolveOptions } from '@sluice/core/options.ts'
import { apiserver } from '../../../../../scripts/testing/k8s.ts'
import { createMetrics, type MetricsRegistry } from '../../metrics.ts'
import type { Parser } from '../../parsers/types.ts'
import { testFilterContext } from '../../testing/contexts.ts'
import kubernetes from './kubernetes.ts'

const k8s = apiserver()
const run = randomBytes(3).toString('hex')
const ns = `sluice-k8s-${run}`
const node = `node-${run}`
const tmp = mkdtempSync(join(tmpdir(), 'sluice-k8s-'))
const id = 'c'.repeat(64)
const role = `sluice-test-agent-${run}`

const jsonParser: Parser = {
  name: 'json',
  format: 'json',
  parse: (t) => {
    try {
      return { body: JSON.parse(t) }
    } catch {
      return null
    }
  },
}

function context(metrics: MetricsRegistry) {
  return testFilterContext('kubernetes.0', {
    metrics,
    parsers: { get: (n) => (n === 'json' ? jsonParser : undefined), names: () => ['json'] },
  })
}

async function makeFilter(entries: Record<string, string>, metrics = createMetrics()) {
  const r = resolveOptions(
    kubernetes.options,
    Object.entries(entries).map(([key, value]) => ({ key, value })),
    { instance: 'filter.kubernetes.0' },
  )
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  )
  const ctx = context(metrics)
  const state = await kubernetes.init(r.values, ctx)
  const ack = { retain() {}, release() {} }
  return {
    ctx,
    metrics,
    state,
    run: async (tag: string, bodies: Record<string, unknown>[]): Promise<LogEvent[]> =>
      kubernetes.filter(
        bodies.map((body) => ({ sec: 1, nsec: 0, body })),
        tag,
        state,
        ctx,
        ack,
      ),
    stop: () => kubernetes.stop!(state),
  }
}

const tagOf = (pod: string, container: string) => `kube.var.log.containers.${pod}_${ns}_${container}-${id}.log`

function token(sa: string): string {
  const file = join(tmp, `${sa}.token`)
  writeFileSync(file, k8s.kubectl(['create', 'token', sa, '-n', ns, '--duration', '1h']).trim())
  return file
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function pod(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels, annotations },
    spec: {
      nodeName: node,
      containers: [
        { name: 'app', image: 'nginx:1.25' },
        { name: 'sidecar', image: 'busybox:1.36' },
      ],
    },
  })
}

let agentToken = ''
let strangerToken = ''
const common = () => ({ Kube_URL: k8s.server, Kube_CA_File: k8s.ca, Kube_Node_Name: node, Kube_Meta_Wait: '5' })

before(() => {
  k8s.kubectl(['create', 'namespace', ns])
  k8s.kubectl(['label', 'namespace', ns, 'team=payments'])
  k8s.kubectl(
    ['apply', '-f', '-'],
    [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agent', namespace: ns } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'stranger', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: role },
        rules: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
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
  // A new namespace gets its token controller's work done asynchronously; retry briefly.
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      agentToken = token('agent')
      strangerToken = token('stranger')
      break
    } catch (e) {
      if (Date.now() > deadline) throw e
    }
  }
})

after(() => {
  try {
    // Pods bound to a node never finish graceful deletion without a kubelet (../shared/k8s README),
    // and would keep the namespace Terminating: force them first.
    k8s.kubectl(['delete', 'pods', '--all', '-n', ns, '--grace-period=0', '--force'])
    k8s.kubectl(['delete', 'namespace', ns, '--wait=false'])
    k8s.kubectl(['delete', 'clusterrole,clusterrolebinding', role])
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

describe('kubernetes filter against a real API server', () => {
  test('a pod that does not fit Buffer_Size is reported, not silently left bare', async () => {
    k8s.kubectl(['apply', '-f', '-'], pod('big-1', { app: 'big' }, { note: 'x'.repeat(2000) }))
    const f = await makeFilter({ ...common(), Kube_Token_File: agentToken, Kube_Watch: 'Off', Buffer_Size: '1k' })
    try {
      const [e] = await f.run(tagOf('big-1', 'app'), [{ log: 'a' }])
      assert.deepEqual(e!.body.kubernetes, {
        pod_name: 'big-1',
        namespace_name: ns,
        container_name: 'app',
        docker_id: id,
      })
      assert.ok(f.ctx.log.lines.some((l) => /big-1: API response of \d+\+ bytes exceeds Buffer_Size 1024/.test(l)))
      assert.equal(
        f.metrics
          .counter('sluice_kubernetes_metadata_missing_total', '')
          .get({ name: 'kubernetes.0', reason: 'buffer_size' }),
        1,
      )
    } finally {
      await f.stop()
    }
    const g = await makeFilter({ ...common(), Kube_Token_File: agentToken, Kube_Watch: 'Off', Buffer_Size: '0' })
    try {
      const [e] = await g.run(tagOf('big-1', 'app'), [{ log: 'a' }])
      assert.equal((e!.body.kubernetes as any).labels.app, 'big', 'Buffer_Size 0 = no limit')
    } finally {
      await g.stop()
    }
  })

  test('a rotated token is read again after a 401', async () => {
    k8s.kubectl(['apply', '-f', '-'], pod('rot-1', { app: 'rot' }))
    k8s.kubectl(['apply', '-f', '-'], pod('rot-2', { app: 'rot' }))
    const file = join(tmp, 'rotating.token')
    writeFileSync(file, 'not-a-valid-token')
    const f = await makeFilter({ ...common(), Kube_Token_File: file, Kube_Watch: 'Off', Kube_Token_TTL: '1h' })
    try {
      const [a] = await f.run(tagOf('rot-1', 'app'), [{ log: 'a' }])
      assert.equal((a!.body.kubernetes as any).labels, undefined)
      assert.ok(f.ctx.log.lines.some((l) => /401 Unauthorized/.test(l)))
      writeFileSync(file, readFileSync(agentToken, 'utf8'))
      const [b] = await f.run(tagOf('rot-2', 'app'), [{ log: 'b' }])
      assert.equal((b!.body.kubernetes as any).labels.app, 'rot')
    } finally {
      await f.stop()
    }
  })

  test('Use_Kubelet: metadata from the kubelet /pods list, with the same token', async () => {
    // No kubelet runs on these machines: a stand-in serves GET /pods as the kubelet does (a PodList
    // of the node's pods) over TLS, and checks the bearer token it receives.
    const certs = join(import.meta.dirname, '..', '..', 'testing', 'testdata')
    const token = readFileSync(agentToken, 'utf8').trim()
    let calls = 0
    const kubelet = createHttpsServer(
      { cert: readFileSync(join(certs, 'localhost-cert.pem')), key: readFileSync(join(certs, 'localhost-key.pem')) },
      (req, res) => {
        calls++
        if (req.headers.authorization !== `Bearer ${token}`) {
          res.writeHead(401).end()
          return
        }
        const items = [
          JSON.parse(pod('kubelet-1', { app: 'from-kubelet' })),
          JSON.parse(pod('kubelet-2', { app: 'other' })),
        ].map((p) => ({ ...p, metadata: { ...p.metadata, uid: 'u-' + p.metadata.name } }))
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }))
      },
    )
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r))
    const port = (kubelet.address() as { port: number }).port
    const f = await makeFilter({
      ...common(),
      Kube_Token_File: agentToken,
      Kube_Watch: 'Off',
      Use_Kubelet: 'On',
      Kubelet_Host: '127.0.0.1',
      Kubelet_Port: String(port),
      'tls.verify': 'Off',
    })
    try {
      const [a] = await f.run(tagOf('kubelet-1', 'app'), [{ log: 'a' }])
      assert.equal((a!.body.kubernetes as any).labels.app, 'from-kubelet')
      assert.equal((a!.body.kubernetes as any).pod_id, 'u-kubelet-1')
      // One /pods list fills the cache for every pod of the node.
      const [b] = await f.run(tagOf('kubelet-2', 'app'), [{ log: 'b' }])
      assert.equal((b!.body.kubernetes as any).labels.app, 'other')
      assert.equal(calls, 1)
    } finally {
      kubelet.close()
      await f.stop()
    }
  })

  test('the pipeline never blocks on the API: a hung API server costs at most Kube_Meta_Wait, and is counted', async () => {
    const sockets: Socket[] = []
    const hung = createServer((s) => void sockets.push(s))
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r))
    const port = (hung.address() as { port: number }).port
    const f = await makeFilter({
      Kube_URL: `http://127.0.0.1:${port}`,
      Kube_Token_File: agentToken,
      Kube_Watch: 'Off',
      Kube_Meta_Wait: '0.2',
    })
    try {
      const t0 = Date.now()
      const [e] = await f.run(tagOf('web-1', 'app'), [{ log: 'a' }])
      assert.ok(Date.now() - t0 < 5000)
      assert.equal((e!.body.kubernetes as any).pod_name, 'web-1')
      assert.equal(
        f.metrics
          .counter('sluice_kubernetes_metadata_missing_total', '')
          .get({ name: 'kubernetes.0', reason: 'timeout' }),
        1,
      )
    } finally {
      for (const s of sockets) s.destroy()
      hung.close()
      await f.stop()
    }
  })

  test('a pod with labels and annotations enriches log lines whose file names name it', async () => {
    k8s.kubectl(
      ['apply', '-f', '-'],
      pod('web-1', { app: 'web', 'app.kubernetes.io/name': 'web' }, { 'example.com/owner': 'team-a' }),
    )
    const f = await makeFilter({
      ...common(),
      Kube_Token_File: agentToken,
      Merge_Log: 'On',
      Keep_Log: 'Off',
      Namespace_Labels: 'On',
      Kube_Watch: 'Off',
    })
    try {
      const [e] = await f.run(tagOf('web-1', 'app'), [{ stream: 'stdout', log: '{"level":"warn","msg":"slow"}' }])
      const k = e!.body.kubernetes as Record<string, any>
      assert.equal(k.pod_name, 'web-1')
      assert.equal(k.namespace_name, ns)
      assert.equal(k.container_name, 'app')
      assert.equal(k.docker_id, id)
      assert.equal(k.host, node)
      assert.match(k.pod_id, /^[0-9a-f-]{36}$/)
      assert.deepEqual(k.labels, { app: 'web', 'app.kubernetes.io/name': 'web' })
      assert.equal(k.annotations['example.com/owner'], 'team-a')
      assert.equal(k.container_image, 'nginx:1.25')
      assert.equal(e!.body.level, 'warn', 'Merge_Log merged the JSON log')
      assert.equal('log' in e!.body, false, 'Keep_Log Off removed log')
      assert.equal((e!.body.kubernetes_namespace as any).labels.team, 'payments')
    } finally {
      await f.stop()
    }
  })

  test('relabeling reaches new lines through the watch; a pod deleted mid-file still enriches its last lines', async () => {
    k8s.kubectl(['apply', '-f', '-'], pod('web-2', { app: 'web', version: 'v1' }))
    const f = await makeFilter({ ...common(), Kube_Token_File: agentToken })
    try {
      await f.state.watcher!.whenSynced()
      const label = async () =>
        ((await f.run(tagOf('web-2', 'app'), [{ log: 'x' }]))[0]!.body.kubernetes as any).labels?.version
      assert.equal(await label(), 'v1')
      k8s.kubectl(['label', 'pod', 'web-2', '-n', ns, 'version=v2', '--overwrite'])
      await until('the new label', async () => ((await label()) === 'v2' ? true : undefined))
      k8s.kubectl(['delete', 'pod', 'web-2', '-n', ns, '--grace-period=0', '--force'])
      await until('the deletion event', async () =>
        f.state.pods.get(`${ns}/web-2`, Date.now())?.deletedAt !== undefined ? true : undefined,
      )
      assert.equal(await label(), 'v2', 'metadata of the deleted pod is kept for its remaining lines')
      // The watch, not one GET per pod, served all of this.
      const gets = f.metrics
        .counter('sluice_kubernetes_api_requests_total', '')
        .series()
        .reduce((s, x) => s + x.value, 0)
      assert.equal(gets, 0)
      // New pods on the node arrive through the same watch: still no per-pod GET.
      for (let i = 0; i < 5; i++) k8s.kubectl(['apply', '-f', '-'], pod(`batch-${i}`, { app: 'batch' }))
      for (let i = 0; i < 5; i++) {
        await until(`batch-${i} in the cache`, async () =>
          f.state.pods.get(`${ns}/batch-${i}`, Date.now()) ? true : undefined,
        )
        const [e] = await f.run(tagOf(`batch-${i}`, 'app'), [{ log: 'y' }])
        assert.equal((e!.body.kubernetes as any).labels.app, 'batch')
      }
      assert.equal(
        f.metrics
          .counter('sluice_kubernetes_api_requests_total', '')
          .series()
          .reduce((s, x) => s + x.value, 0),
        0,
      )
    } finally {
      await f.stop()
    }
  })

  test('the exclude and parser annotations', async () => {
    k8s.kubectl(
      ['apply', '-f', '-'],
      pod('annotated', { app: 'a' }, { 'fluentbit.io/exclude-sidecar': 'true', 'fluentbit.io/parser': 'json' }),
    )
    const f = await makeFilter({
      ...common(),
      Kube_Token_File: agentToken,
      Kube_Watch: 'Off',
      Merge_Log: 'On',
      'K8S-Logging.Exclude': 'On',
      'K8S-Logging.Parser': 'On',
    })
    try {
      assert.deepEqual(await f.run(tagOf('annotated', 'sidecar'), [{ stream: 'stdout', log: 'noise' }]), [])
      const [e] = await f.run(tagOf('annotated', 'app'), [{ stream: 'stdout', log: '{"user":"bob"}' }])
      assert.equal(e!.body.user, 'bob')
    } finally {
      await f.stop()
    }
  })

  test('RBAC: the agent can get/list/watch pods and namespaces and cannot delete pods', () => {
    const sa = `system:serviceaccount:${ns}:agent`
    const can = (verb: string, res: string) => {
      try {
        return k8s.kubectl(['auth', 'can-i', verb, res, '--as', sa, '-n', ns]).trim()
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '').trim()
      }
    }
    for (const verb of ['get', 'list', 'watch']) {
      assert.equal(can(verb, 'pods'), 'yes', `${verb} pods`)
      assert.equal(can(verb, 'namespaces'), 'yes', `${verb} namespaces`)
    }
    for (const [verb, res] of [
      ['delete', 'pods'],
      ['create', 'pods'],
      ['get', 'secrets'],
      ['list', 'configmaps'],
      ['update', 'namespaces'],
    ])
      assert.equal(can(verb!, res!), 'no', `${verb} ${res}`)
  })

  test('a token without RBAC: one clear 403 error naming the missing rule; records go on with tag metadata', async () => {
    k8s.kubectl(['apply', '-f', '-'], pod('web-3', { app: 'web' }))
    const f = await makeFilter({ ...common(), Kube_Token_File: strangerToken, Kube_Watch: 'Off' })
    try {
      for (const p of ['web-3', 'web-1', 'annotated']) {
        const [e] = await f.run(tagOf(p, 'app'), [{ log: 'z' }])
        assert.deepEqual(e!.body.kubernetes, { pod_name: p, namespace_name: ns, container_name: 'app', docker_id: id })
      }
      const errors = f.ctx.log.lines.filter((l) => l.includes('[error]'))
      assert.equal(errors.length, 1, errors.join('\n'))
      assert.match(errors[0]!, /403 Forbidden/)
      assert.match(errors[0]!, /resources: \["pods", "namespaces"\], verbs: \["get", "list", "watch"\]/)
    } finally {
      await f.stop()
    }
  })
})

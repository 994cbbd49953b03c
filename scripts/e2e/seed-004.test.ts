// Seed 004's pipeline end to end, as real processes against the real API server of ../shared/k8s:
// generated CRI container logs (kubelet layout) → tail with the seed's `cri` parser → kubernetes
// filter (service-account token, RBAC, pod watch) → grep excluding health probes → modify adding
// cluster/env → nest lifting `kubernetes` then `k8s_labels` (docs/compatibility/filters.md) → lua
// running the seed's ECS script unchanged → es output → a real `sluice server`. The agent runs the
// reconstructed ConfigMap (packages/core/testdata/seed-004-configmap.yaml) with its parsers.conf and
// ecs-enrichment.lua data keys untouched; only fluent-bit.conf is adapted to this machine (paths,
// API server, server port) and gets the post's grep/modify/nest filters. Three runs: the post's
// `Parser cri`, `multiline.parser cri` (partial lines joined), and the same pipeline in Fluent Bit's
// YAML format (packages/core/testdata/seed-004.yaml).

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { parse, stringify } from 'yaml'
import type { Deployment } from '../../packages/cli/src/gen/cluster.ts'
import { demoDeployments } from '../../packages/cli/src/gen/cluster.ts'
import { Workload } from '../../packages/cli/src/gen/workload.ts'
import { apiserver } from '../testing/k8s.ts'
import { coreTestdata, type Hit, sluice, startServer, tempDir } from './helpers.ts'

const k8s = apiserver()
const run = randomBytes(3).toString('hex')
const node = `e2e-node-${run}`
const home = `sluice-e2e-${run}` // the agent's service account lives here
const role = `sluice-e2e-agent-${run}`

// The demo cluster in namespaces of this run, with label sets that exercise each branch of the
// script's service.name fallback: `app`, else `app.kubernetes.io/name`, else the container name.
const deployments: Deployment[] = demoDeployments.map((d) => {
  const namespace = `${d.namespace}-${run}`
  if (d.name === 'frontend')
    return { ...d, namespace, labels: { app: 'frontend-app', 'app.kubernetes.io/name': 'frontend-name' } }
  if (d.name === 'cart') return { ...d, namespace, labels: { 'app.kubernetes.io/name': 'cart-name' } }
  if (d.name === 'checkout') return { ...d, namespace, labels: { tier: 'backend' } }
  return { ...d, namespace }
})
const namespaces = [...new Set(deployments.map((d) => d.namespace))]

let dir: { path: string; remove(): Promise<void> }
let tokenFile: string

before(async () => {
  dir = await tempDir('seed004')
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: home } },
    ...namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'fluent-bit', namespace: home } },
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
      subjects: [{ kind: 'ServiceAccount', name: 'fluent-bit', namespace: home }],
    },
  ]
  k8s.kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'))
  tokenFile = join(dir.path, 'token')
  await retry('a token for the agent', () =>
    writeFileSync(tokenFile, k8s.kubectl(['create', 'token', 'fluent-bit', '-n', home, '--duration', '1h']).trim()),
  )
})

after(async () => {
  try {
    for (const ns of namespaces)
      k8s.kubectl(['delete', 'pods', '--all', '-n', ns, '--grace-period=0', '--force', '--wait=false'])
    k8s.kubectl(['delete', 'namespace', home, ...namespaces, '--wait=false'])
    k8s.kubectl(['delete', 'clusterrole,clusterrolebinding', role])
  } finally {
    await dir?.remove()
  }
})

async function retry(what: string, f: () => void, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    try {
      return f()
    } catch (e) {
      if (Date.now() > end) throw new Error(`${what}: ${e}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** Seed 004's ConfigMap with fluent-bit.conf adapted to this machine; other data keys unchanged. */
function configMap(root: string, esPort: number, multiline: boolean): string {
  const cm = parse(readFileSync(join(coreTestdata, 'seed-004-configmap.yaml'), 'utf8'))
  const original: string = cm.data['fluent-bit.conf']
  // The tail tag is `kube.` + the file path with `/` → `.` (no leading dot), so the kubernetes
  // filter's prefix is the containers directory spelt that way.
  const containers = realpathSync(join(root, 'var/log/containers'))
  const tagPrefix = `kube.${containers.slice(1).replaceAll('/', '.')}.`
  const edits: [string | RegExp, string][] = [
    // Loopback tests run side by side: no fixed monitoring port.
    ['HTTP_Server   On', 'HTTP_Server   Off'],
    ['Flush         1', 'Flush         0.5\n    Grace         1'],
    [
      'Path              /var/log/containers/*.log',
      `Path              ${containers}/*.log\n    Read_From_Head    On\n    Refresh_Interval  1`,
    ],
    [
      '    Labels              On\n',
      `    Labels              On
    Kube_URL            ${k8s.server}
    Kube_CA_File        ${k8s.ca}
    Kube_Token_File     ${tokenFile}
    Kube_Tag_Prefix     ${tagPrefix}
    Kube_Node_Name      ${node}
    Kube_Meta_Wait      10

[FILTER]
    Name          grep
    Match         kube.*
    Exclude       log /(healthz|readyz|livez)

[FILTER]
    Name          modify
    Match         kube.*
    Add           cluster eco2-dev
    Add           env dev

[FILTER]
    Name          nest
    Match         kube.*
    Operation     lift
    Nested_under  kubernetes
    Add_prefix    k8s_

[FILTER]
    Name          nest
    Match         kube.*
    Operation     lift
    Nested_under  k8s_labels
    Add_prefix    k8s_labels_
`,
    ],
    [
      'Host            eco2-logs-es-http.logging.svc.cluster.local',
      `Host            127.0.0.1\n    Port            ${esPort}`,
    ],
  ]
  // The post's `Parser cri` keeps CRI partial chunks apart; `multiline.parser cri` joins them.
  if (multiline) edits.push(['Parser            cri', 'multiline.parser  cri'])
  let conf = original
  for (const [from, to] of edits) {
    const next = conf.replace(from, to)
    assert.notEqual(next, conf, `edit of fluent-bit.conf applies: ${from}`)
    conf = next
  }
  cm.data['fluent-bit.conf'] = conf
  return stringify(cm)
}

/**
 * The same pipeline in Fluent Bit's YAML format: seed-004.yaml with its parsers file and the Lua
 * script (unchanged, beside it, as the file references it), plus the post's grep/modify/nest filters
 * (modify's two `Add` rules as a YAML list, as Fluent Bit's YAML format writes repeated keys).
 */
function yamlConfig(root: string, esPort: number): string {
  const etc = join(root, 'etc')
  mkdirSync(etc)
  for (const f of ['seed-004-parsers.yaml', 'ecs-enrichment.lua'])
    writeFileSync(join(etc, f), readFileSync(join(coreTestdata, f)))
  const doc = parse(readFileSync(join(coreTestdata, 'seed-004.yaml'), 'utf8'))
  const containers = realpathSync(join(root, 'var/log/containers'))
  doc.service = { ...doc.service, flush: 0.5, grace: 1, http_server: 'off' }
  const [input] = doc.pipeline.inputs
  assert.equal(input.parser, 'cri')
  Object.assign(input, { path: `${containers}/*.log`, read_from_head: 'on', refresh_interval: 1 })
  const [kube, luaFilter] = doc.pipeline.filters
  assert.equal(kube.name, 'kubernetes')
  assert.equal(luaFilter.name, 'lua')
  Object.assign(kube, {
    kube_url: k8s.server,
    kube_ca_file: k8s.ca,
    kube_token_file: tokenFile,
    kube_tag_prefix: `kube.${containers.slice(1).replaceAll('/', '.')}.`,
    kube_node_name: node,
    kube_meta_wait: 10,
  })
  doc.pipeline.filters = [
    kube,
    { name: 'grep', match: 'kube.*', exclude: 'log /(healthz|readyz|livez)' },
    { name: 'modify', match: 'kube.*', add: ['cluster eco2-dev', 'env dev'] },
    { name: 'nest', match: 'kube.*', operation: 'lift', nested_under: 'kubernetes', add_prefix: 'k8s_' },
    { name: 'nest', match: 'kube.*', operation: 'lift', nested_under: 'k8s_labels', add_prefix: 'k8s_labels_' },
    luaFilter,
  ]
  const [es] = doc.pipeline.outputs
  Object.assign(es, { host: '127.0.0.1', port: esPort })
  const file = join(etc, 'fluent-bit.yaml')
  writeFileSync(file, stringify(doc))
  return file
}

interface Line {
  readonly mark: number
  readonly pod: string
  readonly namespace: string
  readonly container: string
  readonly probe: boolean
}

/** Every marked CRI line in the generated files, read back from disk. */
function generatedLines(w: Workload): Map<number, Line> {
  const out = new Map<number, Line>()
  for (const l of w.logs) {
    for (const raw of readFileSync(l.file, 'utf8').split('\n')) {
      const content = raw.split(' ').slice(3).join(' ')
      const m = /^\{"mark":(\d+),/.exec(content) ?? / mark=(\d+)$/.exec(content)
      if (!m) continue
      let json = false
      try {
        json = typeof JSON.parse(content) === 'object'
      } catch {}
      out.set(Number(m[1]), {
        mark: Number(m[1]),
        pod: l.pod.name,
        namespace: l.pod.namespace,
        container: l.container.name,
        // Merge_Log with Keep_Log Off removes `log` from JSON lines, so grep sees only the others
        probe: !json && /(healthz|readyz|livez)/.test(content),
      })
    }
  }
  return out
}

/** A field of a hit, whether the store kept the dotted key flat or as nested objects. */
function field(hit: Hit, key: string): unknown {
  if (key in hit) return hit[key]
  let v: unknown = hit
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined
  return v
}

function markOf(hit: Hit): number | undefined {
  if (typeof hit.mark === 'number') return hit.mark
  const log = typeof hit.log === 'string' ? hit.log : ''
  const m = /^\{"mark":(\d+),/.exec(log) ?? / mark=(\d+)$/.exec(log)
  return m ? Number(m[1]) : undefined
}

for (const variant of ['Parser cri', 'multiline.parser cri', 'YAML format'] as const)
  test(`seed 004 (${variant}): CRI logs → kubernetes (real API server) → grep → modify → nest ×2 → the seed's Lua → es → sluice server`, async (t) => {
    const multiline = variant === 'multiline.parser cri'
    const root = join(dir.path, variant.replace(/\W/g, '-'))
    // the same seed in both runs: the same pods
    const w = new Workload({ root, seed: 4, deployments, markLines: true })
    w.writeEvents(2500, Date.now() - 60_000, Date.now())
    w.close()
    const lines = generatedLines(w)
    assert.equal(lines.size, w.lastMark, 'every marker found in the generated files')
    const probes = [...lines.values()].filter((l) => l.probe).length
    assert.ok(probes > 50, `the workload has health probes (${probes})`)

    // The pods, named as the files name them, with their deployment's labels, on this node.
    const pods = new Map(w.logs.map((l) => [`${l.pod.namespace}/${l.pod.name}`, l.pod]))
    const podObjects = [...pods.values()].map((p) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
        spec: {
          nodeName: node,
          containers: p.deployment.containers.map((c) => ({ name: c.name, image: `example/${c.kind}:1` })),
        },
      }),
    )
    // a brand-new namespace refuses pods until its default service account exists
    await retry('creating the pods', () => k8s.kubectl(['apply', '-f', '-'], podObjects.join('\n')))

    const server = await startServer(join(root, 'server'))
    t.after(() => server.stop())
    let conf: string
    if (variant === 'YAML format') conf = yamlConfig(root, server.esPort)
    else {
      conf = join(root, 'fluent-bit-configmap.yaml')
      writeFileSync(conf, configMap(root, server.esPort, multiline))
    }
    const agent = sluice(['agent', '-c', conf])
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    try {
      const want = lines.size - probes
      const n = await server.awaitCount('', from, to, want, 45_000)
      assert.ok(n >= want, `${n} of ${want} non-probe lines searchable\nagent:\n${agent.output()}`)
      const hits = await server.searchAll('', from, to)
      assert.ok(
        readdirSync(join(root, 'var/log/containers')).length === w.logs.length,
        'the containers directory holds every generated file',
      )

      const seen = new Set<number>()
      for (const hit of hits) {
        // modify, before the lifts
        assert.equal(hit.cluster, 'eco2-dev')
        assert.equal(hit.env, 'dev')
        const pod = String(field(hit, 'kubernetes.pod.name'))
        const ns = String(field(hit, 'kubernetes.namespace'))
        const p = pods.get(`${ns}/${pod}`)
        assert.ok(p, `hit names a generated pod: ${ns}/${pod} ${JSON.stringify(hit).slice(0, 400)}`)
        const container = field(hit, 'kubernetes.container.name')
        assert.ok(
          p.deployment.containers.some((c) => c.name === container),
          `${container} is a container of ${pod}`,
        )
        // the script's service.name: label app, else app.kubernetes.io/name, else the container
        const labels = p.labels
        assert.equal(
          field(hit, 'service.name'),
          labels.app ?? labels['app.kubernetes.io/name'] ?? container,
          `service.name of ${pod}`,
        )
        // seed 004 issue 3 (Replace_Dots Off): `k8s_labels_app` and `k8s_labels_app.kubernetes.io/name`
        // side by side in one record are both stored, neither rejected nor merged into the other
        for (const [k, v] of Object.entries(labels)) assert.equal(hit[`k8s_labels_${k}`], v, `${pod}: k8s_labels_${k}`)
        assert.equal(hit.k8s_pod_name, pod, 'the first lift')
        assert.equal(hit.k8s_labels, undefined, 'the second lift removed k8s_labels')
        const mark = markOf(hit)
        // with Parser cri, a CRI partial chunk of a long line carries no marker; joined, every record does
        assert.ok(
          mark !== undefined || !multiline,
          `a joined record carries its marker: ${JSON.stringify(hit).slice(0, 300)}`,
        )
        if (mark === undefined) continue
        const line = lines.get(mark)
        assert.ok(line, `hit carries a generated marker ${mark}`)
        assert.equal(line.pod, pod, `marker ${mark} came from ${line.pod}`)
        assert.equal(line.container, container, `marker ${mark} came from container ${line.container}`)
        assert.ok(!line.probe, `health probe ${mark} was dropped by grep: ${JSON.stringify(hit)}`)
        assert.ok(!seen.has(mark), `marker ${mark} arrived once`)
        seen.add(mark)
      }
      const missing = [...lines.values()].filter((l) => !l.probe && !seen.has(l.mark)).map((l) => l.mark)
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} non-probe lines missing`)
      assert.equal(seen.size, want)
      if (multiline) assert.equal(hits.length, want, 'one record per logical line')
      t.diagnostic(
        `${lines.size} marked CRI lines, ${probes} probes dropped, ${want} arrived once, ${hits.length} hits`,
      )
      // every service.name branch was exercised with real pod labels
      const services = new Set(hits.map((h) => field(h, 'service.name')))
      for (const s of ['frontend-app', 'cart-name', 'checkout', 'payment-api']) assert.ok(services.has(s), s)
    } finally {
      assert.equal(await agent.stop(), 0, agent.output())
    }
  })

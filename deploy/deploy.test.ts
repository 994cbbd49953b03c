// deploy/: every kustomization renders, every rendered object passes server-side dry-run on the
// real API server (../shared/k8s), and the agent's RBAC allows exactly what it needs.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { apiserver } from '../scripts/testing/k8s.ts'

const here = import.meta.dirname
const overlays = ['base', 'overlays/elasticsearch', 'overlays/eks-fargate']
const k8s = apiserver()
const cli = join(here, '..', 'packages', 'cli', 'bin', 'sluice.js')
const tmp = mkdtempSync(join(tmpdir(), 'sluice-deploy-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

function render(dir: string): string {
  return execFileSync('kubectl', ['kustomize', join(here, dir)], { encoding: 'utf8' })
}

function objects(yamlText: string): any[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS())
}

function dryRun(yamlText: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: k8s.kubectl(['apply', '--dry-run=server', '-f', '-'], yamlText) }
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string }
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }
  }
}

before(() => {
  // Server-side dry-run does not create namespaces, so namespaced objects need them to exist.
  for (const ns of ['logging', 'aws-observability']) k8s.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
})

describe('deploy/ manifests', () => {
  for (const o of overlays) {
    test(`${o}: renders and every object passes kubectl apply --dry-run=server`, () => {
      const text = render(o)
      const objs = objects(text)
      assert.ok(objs.length >= 2)
      const r = dryRun(text)
      assert.ok(r.ok, r.out)
      for (const obj of objs) assert.match(r.out, new RegExp(`${obj.kind.toLowerCase()}[^\\n]*${obj.metadata.name}`, 'i'), `${obj.kind}/${obj.metadata.name} was checked`)
    })
  }

  for (const o of overlays) {
    test(`${o}: the agent config in the rendered ConfigMap passes sluice check`, () => {
      const file = join(tmp, `${o.replace(/\//g, '-')}.yaml`)
      writeFileSync(file, render(o))
      const r = spawnSync(process.execPath, [cli, 'check', '-c', file], {
        encoding: 'utf8',
        env: { ...process.env, SLUICE_INGEST_TOKEN: 't', ES_HOST: 'es', ES_USER: 'u', ES_PASSWORD: 'p' },
      })
      assert.equal(r.status, 0, r.stdout + r.stderr)
      assert.match(r.stdout + r.stderr, /0 error\(s\)/)
    })
  }

  test('the dry-run is not vacuous: a broken DaemonSet is refused', () => {
    const objs = objects(render('base'))
    const ds = objs.find((o) => o.kind === 'DaemonSet')
    ds.spec.template.spec.containers[0].ports[0].containerPort = 70000
    const r = dryRun(JSON.stringify(ds))
    assert.equal(r.ok, false)
    assert.match(r.out, /containerPort/)
  })

  test('agent security: read-only root, no capabilities, host logs read-only, secrets only from Secrets', () => {
    for (const o of ['base', 'overlays/elasticsearch']) {
      const objs = objects(render(o))
      const ds = objs.find((x) => x.kind === 'DaemonSet')
      const c = ds.spec.template.spec.containers[0]
      assert.equal(c.securityContext.readOnlyRootFilesystem, true)
      assert.equal(c.securityContext.allowPrivilegeEscalation, false)
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'])
      const varlog = c.volumeMounts.find((m: any) => m.mountPath === '/var/log')
      assert.equal(varlog.readOnly, true)
      assert.deepEqual(ds.spec.template.spec.tolerations, [{ operator: 'Exists' }])
      assert.ok(c.env.find((e: any) => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath === 'spec.nodeName')
      for (const e of c.env) if (/TOKEN|PASSWORD|USER$/.test(e.name)) assert.ok(e.valueFrom?.secretKeyRef, `${e.name} comes from a Secret`)
      for (const cm of objs.filter((x) => x.kind === 'ConfigMap')) {
        for (const v of Object.values(cm.data ?? {})) assert.doesNotMatch(String(v), /(Passwd|Password|Token)\s+[^$\s]/i, 'no literal credential in a ConfigMap')
      }
    }
  })

  test('RBAC matrix for the agent ServiceAccount', () => {
    // Apply the agent's real RBAC objects, then ask the API server what it may do.
    const rbac = objects(render('base')).filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
    k8s.kubectl(['apply', '-f', '-'], rbac.map((o) => JSON.stringify(o)).join('\n'))
    const as = 'system:serviceaccount:logging:sluice-agent'
    const can = (verb: string, resource: string, ns?: string) => {
      const args = ['auth', 'can-i', verb, resource, '--as', as, ...(ns ? ['-n', ns] : ['--all-namespaces'])]
      try {
        return k8s.kubectl(args).trim()
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '').trim()
      }
    }
    const allowed = [
      ['get', 'pods'],
      ['list', 'pods'],
      ['watch', 'pods'],
      ['get', 'namespaces'],
      ['list', 'namespaces'],
      ['watch', 'namespaces'],
    ]
    const denied = [
      ['delete', 'pods'],
      ['create', 'pods'],
      ['patch', 'pods'],
      ['get', 'secrets'],
      ['list', 'configmaps'],
      ['list', 'events'],
      ['update', 'namespaces'],
      ['get', 'nodes'],
      ['create', 'serviceaccounts/token'],
    ]
    for (const [v, r] of allowed) assert.equal(can(v!, r!, 'default'), 'yes', `${v} ${r}`)
    for (const [v, r] of denied) assert.equal(can(v!, r!, 'default'), 'no', `${v} ${r}`)
    assert.equal(can('list', 'pods'), 'yes', 'across namespaces')
  })
})

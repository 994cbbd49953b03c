// The shared loopback Kubernetes API server (../shared/k8s) for tests: started on demand (the
// start script is idempotent), admin access through kubectl, real service-account tokens.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const sharedK8s = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'k8s')

export interface Apiserver {
  readonly server: string
  readonly ca: string
  readonly kubeconfig: string
  readonly adminToken: string
  /** kubectl as admin; returns stdout. */
  kubectl(args: string[], input?: string): string
}

let cached: Apiserver | undefined

export function apiserver(): Apiserver {
  if (cached) return cached
  const start = join(sharedK8s, 'start-apiserver.sh')
  if (!existsSync(start))
    throw new Error(
      `cannot start the test API server: ${start} not found (the repository expects ../shared/k8s beside it)`,
    )
  const out = execFileSync('bash', [start, '--env'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  })
  const env: Record<string, string> = {}
  for (const m of out.matchAll(/\b(K8S_\w+|KUBECONFIG)=['"]?([^'"\s]*)['"]?/g)) env[m[1]!] = m[2]!
  for (const k of ['K8S_SERVER', 'K8S_CA', 'KUBECONFIG', 'K8S_ADMIN_TOKEN'])
    if (!env[k]) throw new Error(`start-apiserver.sh --env did not print ${k}: ${out}`)
  const kubeconfig = env.KUBECONFIG!
  cached = {
    server: env.K8S_SERVER!,
    ca: env.K8S_CA!,
    kubeconfig,
    adminToken: env.K8S_ADMIN_TOKEN!,
    kubectl: (args, input) =>
      execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 60_000,
      }),
  }
  return cached
}

// The demo cluster: namespaces, deployments and their pods, shaped like a real small shop. Each
// container has a log "kind" that decides what its lines look like.

import type { Rng } from './prng.ts'

export type LogKind = 'ingress' | 'nginx' | 'python' | 'java' | 'go' | 'node' | 'coredns'

export interface ContainerSpec {
  readonly name: string
  readonly kind: LogKind
}

export interface Deployment {
  readonly namespace: string
  readonly name: string
  readonly replicas: number
  readonly containers: readonly ContainerSpec[]
  /** Relative share of the node's log volume. */
  readonly weight: number
  readonly labels: Readonly<Record<string, string>>
}

export interface Pod {
  readonly namespace: string
  readonly deployment: Deployment
  readonly name: string
  readonly uid: string
  readonly labels: Readonly<Record<string, string>>
  /** Container name → 64-hex container id. */
  readonly containerIds: Readonly<Record<string, string>>
}

export const demoDeployments: readonly Deployment[] = [
  // Requests reach the shop through the ingress controller, which logs each one (ingress-nginx's
  // default `upstreaminfo` format) before the frontend's own nginx does.
  dep('ingress-nginx', 'ingress-nginx-controller', 1, [{ name: 'controller', kind: 'ingress' }], 3),
  dep('shop', 'frontend', 1, [{ name: 'nginx', kind: 'nginx' }], 2),
  dep('shop', 'cart', 2, [{ name: 'cart', kind: 'python' }], 3),
  dep('shop', 'checkout', 1, [{ name: 'checkout', kind: 'java' }], 3),
  dep('payments', 'payment-api', 2, [{ name: 'api', kind: 'go' }], 3),
  dep('payments', 'ledger', 1, [{ name: 'ledger', kind: 'java' }], 1),
  dep('platform', 'auth', 1, [{ name: 'auth', kind: 'node' }], 2),
  dep('kube-system', 'coredns', 1, [{ name: 'coredns', kind: 'coredns' }], 1),
]

function dep(
  namespace: string,
  name: string,
  replicas: number,
  containers: ContainerSpec[],
  weight: number,
): Deployment {
  // Both label spellings on purpose: `app` and `app.kubernetes.io/name` collide in Elasticsearch
  // mappings (seed 004 issue 3); the demo must show Sluice handles them.
  const labels: Record<string, string> = {
    app: name,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': namespace,
  }
  return { namespace, name, replicas, containers, weight, labels }
}

export function newPod(rng: Rng, d: Deployment): Pod {
  const templateHash = rng.hex(10).replace(/[0-9]/g, (c) => 'bcdfghjklm'[Number(c)]!)
  const suffix = rng.hex(5).replace(/[0-9]/g, (c) => 'npqrstvwxz'[Number(c)]!)
  const uid = `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`
  const containerIds: Record<string, string> = {}
  for (const c of d.containers) containerIds[c.name] = rng.hex(64)
  return {
    namespace: d.namespace,
    deployment: d,
    name: `${d.name}-${templateHash}-${suffix}`,
    uid,
    labels: { ...d.labels, 'pod-template-hash': templateHash },
    containerIds,
  }
}

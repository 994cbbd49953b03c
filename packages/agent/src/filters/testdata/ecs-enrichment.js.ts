// Seed 004's ECS enrichment (packages/core/testdata/ecs-enrichment.lua) as a js filter module, for the benchmark
// and as an example of the per-record contract.

type Rec = Record<string, unknown>

export default function enrich(_tag: string, time: { sec: number; nsec: number }, r: Rec): [number, typeof time, Rec] {
  if (!r['service.name']) {
    const name = r.k8s_labels_app ?? r['k8s_labels_app.kubernetes.io/name'] ?? r.k8s_container_name
    if (name) r['service.name'] = name
  }
  r['kubernetes.namespace'] = r.k8s_namespace_name
  r['kubernetes.pod.name'] = r.k8s_pod_name
  r['kubernetes.container.name'] = r.k8s_container_name
  return [1, time, r]
}

export function batch(events: { sec: number; nsec: number; body: Rec }[], tag: string) {
  for (const e of events) enrich(tag, e, e.body)
  return events
}

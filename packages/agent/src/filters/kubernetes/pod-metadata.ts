// The `kubernetes` map Fluent Bit's kubernetes filter appends to a record, built from a Pod object
// (GET /api/v1/namespaces/{ns}/pods/{pod}) and the tag. Key order follows Fluent Bit's:
// pod_name, namespace_name, pod_id, labels, annotations, ownerReferences, host, pod_ip,
// container_name, docker_id, container_hash, container_image.

import type { TagMeta } from './tag-meta.ts'

/** The parts of a Pod object this filter reads (Kubernetes core/v1 Pod). */
export interface PodObject {
  metadata?: {
    name?: string
    namespace?: string
    uid?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    ownerReferences?: unknown[]
    resourceVersion?: string
    deletionTimestamp?: string
  }
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[] }
  status?: {
    podIP?: string
    containerStatuses?: { name: string; image?: string; imageID?: string; containerID?: string }[]
    initContainerStatuses?: { name: string; image?: string; imageID?: string; containerID?: string }[]
  }
}

export interface MetaOptions {
  readonly labels: boolean
  readonly annotations: boolean
  readonly ownerReferences: boolean
}

export function kubernetesMap(tag: TagMeta, pod: PodObject | undefined, o: MetaOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { pod_name: tag.pod_name, namespace_name: tag.namespace_name }
  if (pod) {
    const md = pod.metadata ?? {}
    if (md.uid) out.pod_id = md.uid
    if (o.labels && md.labels && Object.keys(md.labels).length > 0) out.labels = { ...md.labels }
    if (o.annotations && md.annotations && Object.keys(md.annotations).length > 0)
      out.annotations = { ...md.annotations }
    if (o.ownerReferences && md.ownerReferences?.length) out.ownerReferences = md.ownerReferences
    if (pod.spec?.nodeName) out.host = pod.spec.nodeName
    if (pod.status?.podIP) out.pod_ip = pod.status.podIP
  }
  if (tag.container_name !== undefined) out.container_name = tag.container_name
  if (tag.docker_id !== undefined) out.docker_id = tag.docker_id
  if (pod && tag.container_name !== undefined) {
    const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
      (c) => c.name === tag.container_name,
    )
    if (st?.imageID) out.container_hash = st.imageID
    const image = st?.image ?? pod.spec?.containers?.find((c) => c.name === tag.container_name)?.image
    if (image) out.container_image = image
  }
  return out
}

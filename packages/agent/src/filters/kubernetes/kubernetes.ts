// The `kubernetes` filter: Fluent Bit's Kubernetes metadata filter, option for option, plus what
// Fluent Bit lacks: a node-scoped watch that keeps the cache warm (constant API calls per node), a
// retention period for deleted pods, a bounded wait so the pipeline never blocks on the API, one clear
// error for 401/403 naming the missing RBAC rule, and a report when a pod does not fit Buffer_Size.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LogEvent } from '@sluice/core/record.ts'
import type { Metric } from '../../metrics.ts'
import type { Parser } from '../../parsers/types.ts'
import { defineFilter, type FilterContext } from '../../plugin.ts'
import { excluded, suggestedParser } from './annotations.ts'
import { KubeClient } from '../../kube/kube-client.ts'
import { mergeLog } from './merge-log.ts'
import { MetaCache } from './pod-cache.ts'
import { kubernetesMap, type PodObject } from './pod-metadata.ts'
import { PodWatcher } from './pod-watcher.ts'
import { createTagParser, type TagMeta, type TagParser } from './tag-meta.ts'

const options = {
  buffer_size: {
    type: 'size',
    default: '32k',
    description:
      'Largest API response accepted for one pod; 0 = no limit. A pod that does not fit is reported (log line and counter) and its records keep the metadata from the tag.',
  },
  kube_url: { type: 'str', default: 'https://kubernetes.default.svc:443', description: 'API server endpoint.' },
  kube_ca_file: {
    type: 'str',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    description: 'CA certificate file.',
  },
  kube_ca_path: { type: 'str', description: 'Directory of CA certificate files (*.crt, *.pem).' },
  kube_token_file: {
    type: 'str',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    description: 'Service-account token file; re-read every Kube_Token_TTL (projected tokens rotate) and after a 401.',
  },
  kube_token_ttl: { type: 'time', default: '600', description: 'Seconds before the token file is read again.' },
  kube_token_command: { type: 'str', description: 'Command printing a token.', ignored: 'use Kube_Token_File' },
  kube_tag_prefix: {
    type: 'str',
    default: 'kube.var.log.containers.',
    description: 'Prefix the tail input put before the file name in the tag.',
  },
  merge_log: {
    type: 'bool',
    default: 'off',
    description:
      'Parse the `log` field (JSON, the pod-suggested parser, or Merge_Parser) and merge its fields into the record.',
  },
  merge_log_key: { type: 'str', description: 'Put the merged fields under this key instead of the top level.' },
  merge_log_trim: {
    type: 'bool',
    default: 'on',
    description: 'Remove trailing \\n and \\r from merged string values.',
  },
  merge_parser: { type: 'str', description: 'Parser for the `log` field instead of JSON.' },
  keep_log: { type: 'bool', default: 'on', description: 'Keep the original `log` field after a successful merge.' },
  'tls.debug': {
    type: 'int',
    default: '-1',
    description: 'TLS debug level.',
    ignored: 'Node reports TLS errors in the log line',
  },
  'tls.verify': { type: 'bool', default: 'on', description: 'Verify the API server certificate.' },
  'tls.verify_hostname': {
    type: 'bool',
    default: 'off',
    description: 'Verify the certificate host name.',
    ignored: 'host names are verified whenever tls.verify is on',
  },
  use_journal: {
    type: 'bool',
    default: 'off',
    description: 'Read metadata from journald records.',
    ignored: 'the systemd input is not implemented',
  },
  cache_use_docker_id: {
    type: 'bool',
    default: 'off',
    description: 'Fetch metadata again when the container id changes.',
  },
  regex_parser: {
    type: 'str',
    description: 'A parser whose regex extracts pod_name, namespace_name, container_name and docker_id from the tag.',
  },
  'k8s-logging.parser': {
    type: 'bool',
    default: 'off',
    description: 'Let pods suggest a parser with the `fluentbit.io/parser[_stream][-container]` annotation.',
  },
  'k8s-logging.exclude': {
    type: 'bool',
    default: 'off',
    description: 'Let pods exclude their logs with the `fluentbit.io/exclude[_stream][-container]` annotation.',
  },
  labels: { type: 'bool', default: 'on', description: 'Include pod labels.' },
  annotations: { type: 'bool', default: 'on', description: 'Include pod annotations.' },
  kube_meta_preload_cache_dir: {
    type: 'str',
    description: 'Directory of `<namespace>-<pod>.meta` JSON pod objects read before asking the API.',
  },
  dummy_meta: { type: 'bool', default: 'off', description: 'Use dummy metadata (tests, development).' },
  dns_retries: {
    type: 'int',
    default: '6',
    description: 'DNS lookup retries.',
    ignored: 'requests are retried on the next batch',
  },
  dns_wait_time: {
    type: 'int',
    default: '30',
    description: 'Seconds between DNS retries.',
    ignored: 'requests are retried on the next batch',
  },
  use_kubelet: {
    type: 'bool',
    default: 'off',
    description: 'Get pods from the kubelet (`/pods`) instead of the API server.',
  },
  kubelet_host: { type: 'str', default: '127.0.0.1', description: 'Kubelet host for Use_Kubelet.' },
  kubelet_port: { type: 'int', default: '10250', description: 'Kubelet port for Use_Kubelet.' },
  use_tag_for_meta: {
    type: 'bool',
    default: 'off',
    description: 'Take pod, namespace, container and container id from the tag only; no API calls.',
  },
  kube_meta_cache_ttl: {
    type: 'time',
    default: '0',
    description: 'Seconds a fetched pod stays cached; 0 = no expiry. Pods kept current by the watch never expire.',
  },
  kube_meta_namespace_cache_ttl: {
    type: 'time',
    default: '900',
    description: 'Seconds namespace metadata stays cached.',
  },
  namespace_labels: { type: 'bool', default: 'off', description: 'Add namespace labels under `kubernetes_namespace`.' },
  namespace_annotations: {
    type: 'bool',
    default: 'off',
    description: 'Add namespace annotations under `kubernetes_namespace`.',
  },
  namespace_metadata_only: {
    type: 'bool',
    default: 'off',
    description: 'Add only namespace metadata, no pod metadata.',
  },
  owner_references: {
    type: 'bool',
    default: 'off',
    description: 'Add the pod owner references as `kubernetes.ownerReferences`.',
  },
  kube_watch: {
    type: 'bool',
    default: 'on',
    description:
      'Sluice: keep the cache warm with one watch of the pods on this node (needs Kube_Node_Name), instead of one GET per new pod.',
  },
  kube_node_name: {
    type: 'str',
    description:
      "Sluice: this node's name for the watch (default: the NODE_NAME environment variable, set from the downward API).",
  },
  kube_meta_wait: {
    type: 'time',
    default: '1',
    description:
      "Sluice: longest wait for a pod's metadata; then records go on with what the tag tells, and that is counted.",
  },
  kube_deleted_pod_retention: {
    type: 'time',
    default: '300',
    description: "Sluice: seconds a deleted pod's metadata is kept for its last lines.",
  },
} as const

type Opts = { [K in keyof typeof options]: any }

interface State {
  readonly o: Opts
  readonly parseTag: TagParser
  readonly client?: KubeClient
  readonly kubelet?: KubeClient
  readonly watcher?: PodWatcher
  readonly pods: MetaCache<PodObject>
  readonly namespaces: MetaCache<Record<string, unknown>>
  readonly mergeParser?: Parser
  readonly missing: Metric
  readonly requests: Metric
  readonly authReported: Set<number>
  readonly warnedParsers: Set<string>
}

const NEGATIVE_TTL_MS = 10_000
const RBAC_HINT =
  'the agent\'s ServiceAccount needs a ClusterRole rule {apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"]} bound by a ClusterRoleBinding (deploy/base/agent/rbac.yaml)'

function reportStatus(st: State, ctx: FilterContext, status: number, message: string, what: string): void {
  if (status !== 401 && status !== 403) return
  // One clear error per status, not one per record.
  if (st.authReported.has(status)) return
  st.authReported.add(status)
  const who = st.o.kube_token_file ? `the token in ${st.o.kube_token_file}` : 'no token'
  ctx.log.error(
    status === 401
      ? `the Kubernetes API at ${st.o.kube_url} rejected ${who} (401 Unauthorized: ${message}) for ${what}; the token is re-read every ${st.o.kube_token_ttl}s — check that the ServiceAccount token is mounted and valid`
      : `the Kubernetes API at ${st.o.kube_url} refused ${what} (403 Forbidden: ${message}); ${RBAC_HINT}`,
  )
}

async function fetchPod(st: State, ctx: FilterContext, tm: TagMeta): Promise<PodObject | undefined> {
  const { namespace_name: ns, pod_name: pod } = tm
  if (st.o.kube_meta_preload_cache_dir) {
    try {
      return JSON.parse(readFileSync(join(st.o.kube_meta_preload_cache_dir, `${ns}-${pod}.meta`), 'utf8')) as PodObject
    } catch {
      // not preloaded: ask the API
    }
  }
  if (st.kubelet) {
    const r = await st.kubelet.getJson('/pods')
    st.requests.inc({
      name: ctx.id,
      source: 'kubelet',
      result: r.kind === 'ok' ? 'ok' : r.kind === 'status' ? String(r.status) : r.kind,
    })
    if (r.kind === 'ok') {
      const now = Date.now()
      let found: PodObject | undefined
      for (const p of (r.body as { items?: PodObject[] }).items ?? []) {
        st.pods.set(`${p.metadata?.namespace}/${p.metadata?.name}`, p, now)
        if (p.metadata?.namespace === ns && p.metadata?.name === pod) found = p
      }
      return found
    }
    if (r.kind === 'status') reportStatus(st, ctx, r.status, r.message, 'GET /pods on the kubelet')
    return undefined
  }
  const r = await st.client!.getJson(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}`)
  st.requests.inc({
    name: ctx.id,
    source: 'api',
    result: r.kind === 'ok' ? 'ok' : r.kind === 'status' ? String(r.status) : r.kind,
  })
  switch (r.kind) {
    case 'ok':
      return r.body as PodObject
    case 'status':
      reportStatus(st, ctx, r.status, r.message, `get pods in namespace ${ns}`)
      st.missing.inc({ name: ctx.id, reason: r.status === 404 ? 'not_found' : `http_${r.status}` })
      return undefined
    case 'too_large':
      st.missing.inc({ name: ctx.id, reason: 'buffer_size' })
      ctx.log.warn(
        `pod ${ns}/${pod}: API response of ${r.bytes}+ bytes exceeds Buffer_Size ${st.o.buffer_size}; its records keep only the metadata from the tag — raise Buffer_Size (0 = no limit)`,
      )
      return undefined
    case 'error':
      st.missing.inc({ name: ctx.id, reason: 'error' })
      ctx.log.warn(`cannot get pod ${ns}/${pod} from ${st.o.kube_url}: ${r.message}`)
      return undefined
  }
}

async function fetchNamespace(st: State, ctx: FilterContext, ns: string): Promise<Record<string, unknown> | undefined> {
  const r = await st.client!.getJson(`/api/v1/namespaces/${encodeURIComponent(ns)}`)
  st.requests.inc({
    name: ctx.id,
    source: 'api',
    result: r.kind === 'ok' ? 'ok' : r.kind === 'status' ? String(r.status) : r.kind,
  })
  if (r.kind === 'status') reportStatus(st, ctx, r.status, r.message, `get namespace ${ns}`)
  if (r.kind !== 'ok') return undefined
  const md = (r.body as PodObject).metadata ?? {}
  const out: Record<string, unknown> = { name: ns }
  if (st.o.namespace_labels && md.labels) out.labels = md.labels
  if (st.o.namespace_annotations && md.annotations) out.annotations = md.annotations
  return out
}

/** The cached value, or undefined plus a promise that resolves when the lookup finishes. */
function lookup<T>(
  cache: MetaCache<T>,
  key: string,
  load: () => Promise<T | undefined>,
): { hit: true; value: T | undefined } | { hit: false; pending: Promise<T | undefined> } {
  const now = Date.now()
  const e = cache.get(key, now)
  if (e && (e.value !== undefined || now - e.at < NEGATIVE_TTL_MS)) return { hit: true, value: e.value }
  const pending = cache.load(key, async () => {
    const v = await load()
    cache.set(key, v, Date.now())
    return v
  })
  return { hit: false, pending }
}

async function bounded<T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms)
  })
  try {
    return await Promise.race([p.then((value) => ({ value })), timeout])
  } finally {
    clearTimeout(timer)
  }
}

function dummyPod(tm: TagMeta): PodObject {
  return {
    metadata: {
      name: tm.pod_name,
      namespace: tm.namespace_name,
      uid: '00000000-0000-0000-0000-000000000000',
      labels: { app: 'dummy' },
      annotations: {},
    },
    spec: { nodeName: 'dummy-node' },
  }
}

function apply(
  st: State,
  ctx: FilterContext,
  events: LogEvent[],
  tm: TagMeta,
  pod: PodObject | undefined,
  nsMeta: Record<string, unknown> | undefined,
): LogEvent[] {
  const o = st.o
  const kube = o.namespace_metadata_only
    ? undefined
    : kubernetesMap(tm, pod, { labels: o.labels, annotations: o.annotations, ownerReferences: o.owner_references })
  const ann = pod?.metadata?.annotations
  const out: LogEvent[] = []
  for (const e of events) {
    const stream = typeof e.body.stream === 'string' ? e.body.stream : undefined
    if (o['k8s-logging.exclude'] && excluded(ann, stream, tm.container_name)) continue
    let body = e.body
    if (o.merge_log) {
      let parser = st.mergeParser
      if (o['k8s-logging.parser']) {
        const name = suggestedParser(ann, stream, tm.container_name)
        if (name) {
          const p = ctx.parsers.get(name)
          if (p) parser = p
          else if (!st.warnedParsers.has(name)) {
            st.warnedParsers.add(name)
            ctx.log.warn(
              `pod ${tm.namespace_name}/${tm.pod_name} suggests parser '${name}', which is not defined; using ${st.mergeParser ? `Merge_Parser ${st.mergeParser.name}` : 'JSON'}`,
            )
          }
        }
      }
      const r = mergeLog(body, parser, { key: o.merge_log_key, trim: o.merge_log_trim, keepLog: o.keep_log })
      if (r.body) {
        body = r.body
        if (r.sec !== undefined) {
          e.sec = r.sec
          e.nsec = r.nsec ?? 0
        }
      }
    }
    if (kube) body.kubernetes = kube
    if (nsMeta) body.kubernetes_namespace = nsMeta
    e.body = body
    out.push(e)
  }
  return out
}

export default defineFilter({
  name: 'kubernetes',
  description: 'Enrich container log records with Kubernetes pod and namespace metadata',
  options,
  init(o, ctx): State {
    let tagRegex: RegExp | undefined
    if (o.regex_parser) {
      const p = ctx.parsers.get(o.regex_parser) as (Parser & { regex?: RegExp }) | undefined
      if (!p) throw new Error(`Regex_Parser '${o.regex_parser}' is not a defined parser`)
      if (!p.regex) throw new Error(`Regex_Parser '${o.regex_parser}' is not a regex parser`)
      tagRegex = p.regex
    }
    const mergeParser = o.merge_parser ? ctx.parsers.get(o.merge_parser) : undefined
    if (o.merge_parser && !mergeParser) throw new Error(`Merge_Parser '${o.merge_parser}' is not a defined parser`)
    const offline = o.use_tag_for_meta || o.dummy_meta
    const clientOpts = {
      caFile: o.kube_ca_file,
      caPath: o.kube_ca_path,
      tokenFile: o.kube_token_file,
      tokenTtlSec: o.kube_token_ttl,
      verify: o['tls.verify'],
      bufferSize: o.buffer_size,
    }
    const tolerant = (f: () => KubeClient) => {
      try {
        return f()
      } catch (e) {
        // A missing CA file must not stop the agent: records go on with tag metadata, and we say why.
        ctx.log.error(`${(e as Error).message}; records keep only the metadata from the tag`)
        return undefined
      }
    }
    const client = offline ? undefined : tolerant(() => new KubeClient({ url: o.kube_url, ...clientOpts }))
    const kubelet =
      offline || !o.use_kubelet
        ? undefined
        : tolerant(() => new KubeClient({ url: `https://${o.kubelet_host}:${o.kubelet_port}`, ...clientOpts }))
    const st: State = {
      o,
      parseTag: createTagParser(o.kube_tag_prefix, tagRegex),
      client,
      kubelet,
      pods: new MetaCache(o.kube_meta_cache_ttl * 1000, o.kube_deleted_pod_retention * 1000),
      namespaces: new MetaCache(o.kube_meta_namespace_cache_ttl * 1000, 0),
      mergeParser,
      missing: ctx.metrics.counter(
        'sluice_kubernetes_metadata_missing_total',
        'Batches enriched with tag metadata only, by reason',
      ),
      requests: ctx.metrics.counter(
        'sluice_kubernetes_api_requests_total',
        'Requests to the Kubernetes API or kubelet, by result',
      ),
      authReported: new Set(),
      warnedParsers: new Set(),
    }
    const node = o.kube_node_name ?? process.env.NODE_NAME
    if (client && !kubelet && o.kube_watch && node && !o.namespace_metadata_only) {
      const w = new PodWatcher(client, st.pods, node, ctx.log, (status, message) =>
        reportStatus(st, ctx, status, message, `list/watch pods on node ${node}`),
      )
      ;(st as { watcher?: PodWatcher }).watcher = w
      w.start()
    }
    return st
  },
  filter(events, tag, st, ctx) {
    const tm = st.parseTag(tag)
    // Not a container log tag: Fluent Bit leaves such records untouched.
    if (!tm) return events
    const o = st.o
    if (o.use_tag_for_meta) return apply(st, ctx, events, tm, undefined, undefined)
    if (o.dummy_meta) return apply(st, ctx, events, tm, dummyPod(tm), undefined)
    if (!st.client) {
      st.missing.inc({ name: ctx.id, reason: 'no_client' })
      return apply(st, ctx, events, tm, undefined, undefined)
    }
    const wantNs = o.namespace_labels || o.namespace_annotations
    const pod = o.namespace_metadata_only
      ? ({ hit: true, value: undefined } as const)
      : lookup(st.pods, `${tm.namespace_name}/${tm.pod_name}`, () => fetchPod(st, ctx, tm))
    const ns = wantNs
      ? lookup(st.namespaces, tm.namespace_name, () => fetchNamespace(st, ctx, tm.namespace_name))
      : ({ hit: true, value: undefined } as const)
    if (pod.hit && ns.hit) return apply(st, ctx, events, tm, pod.value, ns.value)
    // The pipeline never blocks on the API: wait a bounded time, then go on with what is known.
    return (async () => {
      const wait = o.kube_meta_wait * 1000
      const [p, n] = await Promise.all([
        pod.hit ? { value: pod.value } : bounded(pod.pending, wait),
        ns.hit ? { value: ns.value } : bounded(ns.pending, wait),
      ])
      if (!p || !n) st.missing.inc({ name: ctx.id, reason: 'timeout' })
      return apply(st, ctx, events, tm, p?.value, n?.value)
    })()
  },
  async stop(st) {
    await st.watcher?.stop()
    await st.client?.close()
    await st.kubelet?.close()
  },
})

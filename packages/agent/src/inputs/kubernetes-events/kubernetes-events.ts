// `kubernetes_events`: Kubernetes Events as log records, through a watch stream (as Fluent Bit ≥ 3.1).
// Each record is the Event object; its time is lastTimestamp, else firstTimestamp, else
// metadata.creationTimestamp (Fluent Bit's precedence; eventTime for events without them). The last
// delivered resourceVersion is persisted in `db` only after delivery, so a restart neither loses nor
// repeats events: the watch resumes there, and a relist (410 Gone) skips what was already delivered.

import type { LogEvent } from '@sluice/core/record.ts'
import { KubeClient } from '../../kube/kube-client.ts'
import { defineInput, type InputContext } from '../../plugin.ts'
import { OrderedCommits } from './ordered-commits.ts'
import { loadRv, rvAfter, saveRv } from './rv-store.ts'

const options = {
  db: { type: 'str', description: 'File keeping the last delivered resourceVersion across restarts.' },
  'db.sync': {
    type: 'str',
    default: 'normal',
    values: ['extra', 'full', 'normal', 'off'],
    description: 'fsync policy of the db file (off: no fsync).',
  },
  interval_sec: { type: 'int', default: '0', description: 'Seconds before reconnecting a closed watch.' },
  interval_nsec: { type: 'int', default: '500000000', description: 'Nanoseconds added to interval_sec.' },
  kube_url: { type: 'str', default: 'https://kubernetes.default.svc', description: 'API server endpoint.' },
  kube_ca_file: {
    type: 'str',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    description: 'CA certificate file.',
  },
  kube_ca_path: { type: 'str', description: 'Directory of CA certificate files.' },
  kube_token_file: {
    type: 'str',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    description: 'Token file, re-read every kube_token_ttl.',
  },
  kube_token_ttl: { type: 'time', default: '10m', description: 'Time before the token file is read again.' },
  kube_request_limit: { type: 'int', default: '0', description: 'Page size of the initial list; 0 = no limit.' },
  kube_retention_time: { type: 'time', default: '1h', description: 'Events older than this are not emitted.' },
  kube_namespace: { type: 'str', description: 'Only events of this namespace (default: all).' },
  'tls.debug': {
    type: 'int',
    default: '0',
    description: 'TLS debug level.',
    ignored: 'Node reports TLS errors in the log line',
  },
  'tls.verify': { type: 'bool', default: 'on', description: 'Verify the API server certificate.' },
  'tls.vhost': { type: 'str', description: 'TLS virtual host.', ignored: 'the host of kube_url is used' },
} as const

interface KubeEvent {
  metadata?: { uid?: string; resourceVersion?: string; creationTimestamp?: string; namespace?: string; name?: string }
  lastTimestamp?: string | null
  firstTimestamp?: string | null
  eventTime?: string | null
  [k: string]: unknown
}

export function eventTime(e: KubeEvent): { sec: number; nsec: number } {
  const t = e.lastTimestamp || e.firstTimestamp || e.metadata?.creationTimestamp || e.eventTime
  const ms = t ? Date.parse(t) : Number.NaN
  const m = Number.isNaN(ms) ? Date.now() : ms
  // eventTime carries microseconds (MicroTime); keep them.
  const micro = typeof t === 'string' ? /\.(\d{1,9})/.exec(t)?.[1] : undefined
  const nsec = micro ? Number(micro.padEnd(9, '0')) : (m % 1000) * 1e6
  return { sec: Math.floor(m / 1000), nsec }
}

interface State {
  o: Record<keyof typeof options, any>
  client: KubeClient
  ac: AbortController
  loop?: Promise<void>
  /** Last resourceVersion delivered (persisted). */
  delivered?: string
  commits: OrderedCommits<string>
  reconnectMs: number
}

const eventsPath = (o: State['o']) =>
  o.kube_namespace ? `/api/v1/namespaces/${encodeURIComponent(o.kube_namespace)}/events` : '/api/v1/events'

function emitEvents(st: State, ctx: InputContext, items: KubeEvent[], skipUpTo?: string): void {
  const cutoff = Date.now() - st.o.kube_retention_time * 1000
  const out: LogEvent[] = []
  let lastRv: string | undefined
  for (const item of items) {
    const rv = item.metadata?.resourceVersion
    if (rv) lastRv = rv
    if (rv && skipUpTo && !rvAfter(rv, skipUpTo)) continue
    const t = eventTime(item)
    if (t.sec * 1000 < cutoff) continue
    out.push({ sec: t.sec, nsec: t.nsec, body: item as Record<string, unknown> })
  }
  if (!lastRv) return
  const done = st.commits.add(lastRv)
  if (out.length === 0) {
    done()
    return
  }
  ctx.emit(ctx.tag, out, () => done())
}

async function run(st: State, ctx: InputContext): Promise<void> {
  let rv = st.delivered
  let backoff = st.reconnectMs
  let reportedAuth = false
  while (!st.ac.signal.aborted) {
    try {
      if (rv === undefined) {
        const limit = st.o.kube_request_limit > 0 ? `?limit=${st.o.kube_request_limit}` : ''
        const r = await st.client.getJson(`${eventsPath(st.o)}${limit}`, st.ac.signal)
        if (r.kind !== 'ok')
          throw Object.assign(
            new Error(
              r.kind === 'status' ? `${r.status} ${r.message}` : r.kind === 'error' ? r.message : 'list too large',
            ),
            { status: r.kind === 'status' ? r.status : 0 },
          )
        const body = r.body as { items?: KubeEvent[]; metadata?: { resourceVersion?: string } }
        // A relist after 410 Gone, or a first start: skip what an earlier run already delivered.
        emitEvents(
          st,
          ctx,
          (body.items ?? []).sort((a, b) =>
            rvAfter(a.metadata?.resourceVersion ?? '0', b.metadata?.resourceVersion ?? '0') ? 1 : -1,
          ),
          st.delivered,
        )
        rv = body.metadata?.resourceVersion
      }
      let gone = false
      const res = await st.client.watch(
        `${eventsPath(st.o)}?watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${encodeURIComponent(rv ?? '')}`,
        (e) => {
          if (e.type === 'ERROR') {
            if (e.object?.code === 410) gone = true
            return
          }
          const erv = e.object?.metadata?.resourceVersion as string | undefined
          if (erv) rv = erv
          if (e.type === 'ADDED' || e.type === 'MODIFIED') emitEvents(st, ctx, [e.object as KubeEvent])
        },
        st.ac.signal,
      )
      if (res.status === 410 || gone) {
        rv = undefined
        continue
      }
      if (res.status !== 200)
        throw Object.assign(new Error(`${res.status} ${res.message ?? ''}`), { status: res.status })
      backoff = st.reconnectMs
      await new Promise((r) => setTimeout(r, st.reconnectMs).unref())
    } catch (e) {
      if (st.ac.signal.aborted) return
      const status = (e as { status?: number }).status
      if ((status === 401 || status === 403) && !reportedAuth) {
        reportedAuth = true
        ctx.log.error(
          `the Kubernetes API at ${st.o.kube_url} refused to list/watch events (${(e as Error).message}); the agent's ServiceAccount needs a ClusterRole rule {apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"]} (docs/kubernetes.md)`,
        )
      } else if (status !== 401 && status !== 403)
        ctx.log.warn(`cannot watch events: ${(e as Error).message}; retrying in ${backoff} ms`)
      await new Promise((r) => setTimeout(r, backoff).unref())
      backoff = Math.min(backoff * 2, 30_000)
    }
  }
}

export default defineInput({
  name: 'kubernetes_events',
  description: 'Kubernetes Events from the API server (watch), as log records',
  options,
  init(o, ctx): State {
    const path = o.db ? ctx.resolvePath(o.db) : undefined
    const delivered = path ? loadRv(path)?.resourceVersion : undefined
    const st: State = {
      o,
      client: new KubeClient({
        url: o.kube_url,
        caFile: o.kube_ca_file,
        caPath: o.kube_ca_path,
        tokenFile: o.kube_token_file,
        tokenTtlSec: o.kube_token_ttl,
        verify: o['tls.verify'],
        bufferSize: 0,
      }),
      ac: new AbortController(),
      delivered,
      reconnectMs: Math.max(50, o.interval_sec * 1000 + o.interval_nsec / 1e6),
      commits: new OrderedCommits((rv) => {
        st.delivered = rv
        if (path) {
          try {
            saveRv(path, { resourceVersion: rv }, o['db.sync'] !== 'off')
          } catch (e) {
            ctx.log.error(`cannot persist resourceVersion ${rv} to ${path}: ${(e as Error).message}`)
          }
        }
      }),
    }
    return st
  },
  start(st, ctx) {
    st.loop = run(st, ctx)
  },
  async stop(st) {
    st.ac.abort()
    await st.loop?.catch(() => undefined)
    await st.client.close()
  },
})

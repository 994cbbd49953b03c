// Keeps the pod cache warm with one node-scoped watch instead of one GET per new pod:
//   LIST  /api/v1/pods?fieldSelector=spec.nodeName=<node>           → items + resourceVersion
//   WATCH /api/v1/pods?fieldSelector=…&watch=1&resourceVersion=<rv>&allowWatchBookmarks=true
// ADDED/MODIFIED update the cache, DELETED starts the retention period, BOOKMARK advances the
// resourceVersion; a 410 Gone (resourceVersion too old) relists. Errors back off and retry, so a busy
// node makes a constant number of API calls whatever its pod churn.

import type { Logger } from '@sluice/core/log.ts'
import type { KubeClient } from '../../kube/kube-client.ts'
import type { MetaCache } from './pod-cache.ts'
import type { PodObject } from './pod-metadata.ts'

export interface WatcherStats {
  lists: number
  watches: number
  events: number
  relists: number
}

export class PodWatcher {
  readonly stats: WatcherStats = { lists: 0, watches: 0, events: 0, relists: 0 }
  private rv: string | undefined
  private readonly ac = new AbortController()
  private running: Promise<void> | undefined
  private synced!: Promise<void>
  private markSynced!: () => void

  private readonly client: KubeClient
  private readonly cache: MetaCache<PodObject>
  private readonly node: string
  private readonly log: Logger
  private readonly onStatus: (status: number, message: string) => void

  constructor(
    client: KubeClient,
    cache: MetaCache<PodObject>,
    node: string,
    log: Logger,
    onStatus: (status: number, message: string) => void,
  ) {
    this.client = client
    this.cache = cache
    this.node = node
    this.log = log
    this.onStatus = onStatus
    this.synced = new Promise((r) => {
      this.markSynced = r
    })
  }

  /** Resolves after the first successful list (or never, if the API refuses). */
  whenSynced(): Promise<void> {
    return this.synced
  }

  start(): void {
    this.running ??= this.loop()
  }

  async stop(): Promise<void> {
    this.ac.abort()
    await this.running?.catch(() => undefined)
  }

  private selector(): string {
    return `fieldSelector=${encodeURIComponent(`spec.nodeName=${this.node}`)}`
  }

  private async list(): Promise<boolean> {
    this.stats.lists++
    const r = await this.client.getJson(`/api/v1/pods?${this.selector()}`, this.ac.signal)
    if (r.kind !== 'ok') {
      if (r.kind === 'status') this.onStatus(r.status, r.message)
      else
        this.log.warn(
          `cannot list pods of node ${this.node}: ${r.kind === 'error' ? r.message : `response over Buffer_Size (${r.bytes} bytes)`}`,
        )
      return false
    }
    const body = r.body as { metadata?: { resourceVersion?: string }; items?: PodObject[] }
    const now = Date.now()
    for (const p of body.items ?? []) this.put(p, now)
    this.rv = body.metadata?.resourceVersion
    this.markSynced()
    return true
  }

  private put(p: PodObject, now: number): void {
    const ns = p.metadata?.namespace
    const name = p.metadata?.name
    if (ns && name) this.cache.set(`${ns}/${name}`, p, now, true)
  }

  private async loop(): Promise<void> {
    let backoff = 500
    while (!this.ac.signal.aborted) {
      try {
        if (this.rv === undefined && !(await this.list())) throw new Error('list failed')
        this.stats.watches++
        let gone = false
        const res = await this.client.watch(
          `/api/v1/pods?${this.selector()}&watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${encodeURIComponent(this.rv ?? '')}`,
          (e) => {
            this.stats.events++
            const now = Date.now()
            if (e.type === 'ERROR') {
              if (e.object?.code === 410) gone = true
              return
            }
            const rv = e.object?.metadata?.resourceVersion
            if (rv) this.rv = rv
            if (e.type === 'BOOKMARK') return
            const p = e.object as PodObject
            if (e.type === 'DELETED') {
              const key = `${p.metadata?.namespace}/${p.metadata?.name}`
              this.put(p, now)
              this.cache.markDeleted(key, now)
            } else this.put(p, now)
          },
          this.ac.signal,
        )
        if (res.status === 410 || gone) {
          // resourceVersion expired: start again from a fresh list.
          this.stats.relists++
          this.rv = undefined
          continue
        }
        if (res.status !== 200) {
          this.onStatus(res.status, res.message ?? '')
          throw new Error(`watch answered ${res.status}`)
        }
        backoff = 500
      } catch (e) {
        if (this.ac.signal.aborted) return
        this.log.debug(`pod watch of node ${this.node}: ${(e as Error).message}; retrying in ${backoff} ms`)
        await new Promise((r) => setTimeout(r, backoff).unref())
        backoff = Math.min(backoff * 2, 30_000)
      }
    }
  }
}

// A small Kubernetes API client for the metadata filter: bearer token re-read from its file (projected
// service-account tokens rotate), CA bundle from a file or a directory, response size bounded by
// Buffer_Size, and watch streams (one JSON object per line, Kubernetes "watch" encoding).

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Agent } from 'undici'
import { loadUndici } from '../lazy-deps.ts'

type Undici = typeof import('undici')

export interface KubeClientOptions {
  readonly url: string
  readonly caFile?: string
  readonly caPath?: string
  readonly tokenFile?: string
  /** Seconds a token read from the file is used before it is read again. */
  readonly tokenTtlSec: number
  readonly verify: boolean
  /** Largest response accepted, in bytes; 0 = no limit. */
  readonly bufferSize: number
}

export type GetResult =
  | { readonly kind: 'ok'; readonly body: unknown }
  | { readonly kind: 'status'; readonly status: number; readonly message: string }
  | { readonly kind: 'too_large'; readonly bytes: number }
  | { readonly kind: 'error'; readonly message: string }

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  readonly object: Record<string, any>
}

function readCa(o: KubeClientOptions): string[] | undefined {
  // Plain HTTP (a local proxy such as `kubectl proxy`) has no certificates to check.
  if (o.url.startsWith('http://')) return undefined
  const cas: string[] = []
  if (o.caFile) {
    try {
      cas.push(readFileSync(o.caFile, 'utf8'))
    } catch (e) {
      throw new Error(`cannot read Kube_CA_File ${o.caFile}: ${(e as Error).message}`)
    }
  }
  if (o.caPath) {
    for (const n of readdirSync(o.caPath)) if (/\.(crt|pem)$/.test(n)) cas.push(readFileSync(join(o.caPath, n), 'utf8'))
  }
  return cas.length > 0 ? cas : undefined
}

export class KubeClient {
  readonly url: string
  private readonly opts: KubeClientOptions
  private readonly connect: { ca: string[] | undefined; rejectUnauthorized: boolean }
  private agent: Agent | undefined
  private closed = false
  private token: string | undefined
  private tokenReadAt = 0

  constructor(opts: KubeClientOptions) {
    this.opts = opts
    this.url = opts.url.replace(/\/+$/, '')
    // CA files are read now, so a bad Kube_CA_File fails at start-up; the HTTP client loads on first use
    this.connect = { ca: readCa(opts), rejectUnauthorized: opts.verify }
  }

  private async client(): Promise<{ request: Undici['request']; dispatcher: Agent }> {
    const undici = await loadUndici()
    if (this.closed) throw new Error('the Kubernetes client is closed')
    this.agent ??= new undici.Agent({ connect: this.connect, keepAliveTimeout: 30_000 })
    return { request: undici.request, dispatcher: this.agent }
  }

  /** The bearer token, re-read from its file after Kube_Token_TTL (or when `force`). */
  private bearer(force = false): string | undefined {
    if (!this.opts.tokenFile) return undefined
    const now = Date.now()
    if (force || this.token === undefined || now - this.tokenReadAt >= this.opts.tokenTtlSec * 1000) {
      try {
        this.token = readFileSync(this.opts.tokenFile, 'utf8').trim()
        this.tokenReadAt = now
      } catch {
        // No token file (e.g. a local, unauthenticated API): requests go without a token.
        this.token = undefined
      }
    }
    return this.token
  }

  private headers(force = false): Record<string, string> {
    const t = this.bearer(force)
    return t ? { authorization: `Bearer ${t}`, accept: 'application/json' } : { accept: 'application/json' }
  }

  /** GET a JSON object. A 401 re-reads the token file once (it may have rotated) and retries. */
  async getJson(path: string, signal?: AbortSignal): Promise<GetResult> {
    let r = await this.getOnce(path, false, signal)
    if (r.kind === 'status' && r.status === 401) r = await this.getOnce(path, true, signal)
    return r
  }

  private async getOnce(path: string, forceToken: boolean, signal?: AbortSignal): Promise<GetResult> {
    try {
      const { request, dispatcher } = await this.client()
      const res = await request(this.url + path, {
        dispatcher,
        headers: this.headers(forceToken),
        signal,
        headersTimeout: 10_000,
        bodyTimeout: 30_000,
      })
      const limit = this.opts.bufferSize
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of res.body) {
        size += chunk.length
        if (limit > 0 && size > limit) {
          res.body.destroy()
          return { kind: 'too_large', bytes: size }
        }
        chunks.push(chunk as Buffer)
      }
      const text = Buffer.concat(chunks).toString('utf8')
      if (res.statusCode !== 200) {
        let message = text.slice(0, 300)
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message
        } catch {
          // not a Status object
        }
        return { kind: 'status', status: res.statusCode, message }
      }
      return { kind: 'ok', body: JSON.parse(text) }
    } catch (e) {
      return { kind: 'error', message: (e as Error).message }
    }
  }

  /**
   * Streams watch events until the server ends the watch, the signal aborts, or an error occurs.
   * Resolves with the HTTP status (200 when the stream ended normally).
   */
  async watch(
    path: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<{ status: number; message?: string }> {
    const { request, dispatcher } = await this.client()
    const res = await request(this.url + path, {
      dispatcher,
      headers: this.headers(),
      signal,
      headersTimeout: 10_000,
      bodyTimeout: 0,
    })
    if (res.statusCode !== 200) {
      const text = await res.body.text()
      let message = text.slice(0, 300)
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message
      } catch {
        // not a Status object
      }
      return { status: res.statusCode, message }
    }
    let rest = ''
    for await (const chunk of res.body) {
      rest += (chunk as Buffer).toString('utf8')
      let nl = rest.indexOf('\n')
      while (nl >= 0) {
        const line = rest.slice(0, nl).trim()
        rest = rest.slice(nl + 1)
        if (line) onEvent(JSON.parse(line) as WatchEvent)
        nl = rest.indexOf('\n')
      }
    }
    return { status: 200 }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.agent?.close()
  }
}

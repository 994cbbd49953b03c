// Outbound HTTP proxies for the HTTP-based outputs (http, es/opensearch, cloudwatch_logs), as Fluent
// Bit's "HTTP proxy" page describes them (docs: administration/http-proxy):
//
//   - HTTP_PROXY (or http_proxy; the upper-case one wins), `http://[USER:PASS@]HOST:PORT`, carries all
//     egress HTTP and HTTPS traffic through an HTTP CONNECT tunnel;
//   - NO_PROXY (or no_proxy) lists hosts that go direct: comma-separated names, each also matching its
//     subdomains (curl's convention), `*` for every host;
//   - the http output's own `proxy` option sends plain-HTTP requests to that proxy in absolute form
//     (no tunnel), as the plugin does, and wins over the environment.
//
// One addition: HTTPS_PROXY (or https_proxy), when set, is used for HTTPS destinations instead of
// HTTP_PROXY, as curl and Go programs do (Fluent Bit reads only HTTP_PROXY).
//
// undici implements the tunnel, the absolute-form requests and NO_PROXY matching (ProxyAgent,
// EnvHttpProxyAgent); this module only decides which one applies.

import type { buildConnector, Dispatcher } from 'undici'
import { loadUndici } from '../lazy-deps.ts'

export interface EnvProxy {
  readonly httpProxy: string
  readonly httpsProxy: string
  readonly noProxy: string
}

/** The proxy settings of the environment, or undefined when no proxy is set. */
export function envProxy(env: NodeJS.ProcessEnv = process.env): EnvProxy | undefined {
  const httpProxy = env.HTTP_PROXY || env.http_proxy || ''
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || httpProxy
  if (!httpProxy && !httpsProxy) return undefined
  return { httpProxy, httpsProxy, noProxy: env.NO_PROXY || env.no_proxy || '' }
}

/** Checks an output's `proxy` value: an `http://` URL with a host (Fluent Bit's plugin proxy is plain HTTP). */
export function proxyOptionProblem(proxy: string | undefined): string | undefined {
  if (proxy === undefined || proxy === '') return undefined
  let u: URL
  try {
    u = new URL(proxy)
  } catch {
    return `invalid proxy '${proxy}': expected http://HOST:PORT`
  }
  if (u.protocol !== 'http:' || !u.hostname)
    return `invalid proxy '${proxy}': expected http://HOST:PORT (an HTTP proxy)`
  return undefined
}

export interface DispatcherOptions {
  /** TLS and timeout settings of connections to the destination. */
  readonly connect: buildConnector.BuildOptions
  readonly keepAliveTimeout: number
  readonly connections?: number
  readonly pipelining?: number
  /** The output's `proxy` option. */
  readonly proxy?: string
  readonly env?: NodeJS.ProcessEnv
}

/** Describes where requests go, for the start-up log (the proxy's credentials left out). */
export function routeDescription(o: Pick<DispatcherOptions, 'proxy' | 'env'>): string {
  const hide = (u: string) => u.replace(/\/\/[^@/]*@/, '//')
  if (o.proxy) return `through the proxy ${hide(o.proxy)}`
  const e = envProxy(o.env)
  if (!e) return 'directly'
  const via = e.httpsProxy === e.httpProxy ? hide(e.httpProxy) : `${hide(e.httpProxy)} (HTTPS: ${hide(e.httpsProxy)})`
  return `through the proxy ${via} from the environment${e.noProxy ? `, except NO_PROXY hosts (${e.noProxy})` : ''}`
}

/** The undici dispatcher for an output's requests: its proxy, the environment's, or direct. */
export async function outputDispatcher(o: DispatcherOptions): Promise<Dispatcher> {
  const undici = await loadUndici()
  const common = { keepAliveTimeout: o.keepAliveTimeout, connections: o.connections, pipelining: o.pipelining }
  if (o.proxy) return new undici.ProxyAgent({ ...common, uri: o.proxy, proxyTunnel: false, requestTls: o.connect })
  const e = envProxy(o.env)
  if (e) return new undici.EnvHttpProxyAgent({ ...common, ...e, connect: o.connect, requestTls: o.connect })
  return new undici.Agent({ ...common, connect: o.connect })
}

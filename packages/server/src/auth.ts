// Optional authentication for both listeners. Without configured tokens or users every request is
// allowed (the default bind is 127.0.0.1). With them, a request needs `Authorization: Bearer <token>`
// or basic auth, and a scope: `ingest` (the Elasticsearch/OTLP port and forward), `read` (the query
// API), or `admin` (both). A read principal may be limited to Kubernetes namespaces: the query layer
// adds `ns IN (…)` to every statement it runs for that principal (records without a namespace are
// then invisible to it).

import { timingSafeEqual } from 'node:crypto'

export type Scope = 'ingest' | 'read' | 'admin'

export interface TokenConfig {
  readonly token: string
  readonly scope: Scope
  readonly name?: string
  readonly namespaces?: readonly string[]
}

export interface UserConfig {
  readonly username: string
  readonly password: string
  readonly scope: Scope
  readonly namespaces?: readonly string[]
}

export interface AuthConfig {
  readonly tokens?: readonly TokenConfig[]
  readonly users?: readonly UserConfig[]
}

export interface Principal {
  readonly name: string
  readonly scope: Scope
  /** When set, only records in these namespaces are visible. */
  readonly namespaces: readonly string[] | null
}

export const ANONYMOUS: Principal = { name: 'anonymous', scope: 'admin', namespaces: null }

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export class Auth {
  private readonly cfg: AuthConfig
  constructor(cfg: AuthConfig = {}) {
    this.cfg = cfg
    for (const t of cfg.tokens ?? [])
      if (!['ingest', 'read', 'admin'].includes(t.scope))
        throw new Error(
          `cannot configure auth: token '${t.name ?? '?'}' has scope '${t.scope}' (use ingest, read or admin)`,
        )
    for (const u of cfg.users ?? [])
      if (!['ingest', 'read', 'admin'].includes(u.scope))
        throw new Error(
          `cannot configure auth: user '${u.username}' has scope '${u.scope}' (use ingest, read or admin)`,
        )
  }

  get enabled(): boolean {
    return (this.cfg.tokens?.length ?? 0) > 0 || (this.cfg.users?.length ?? 0) > 0
  }

  /** The principal for an Authorization header; null when missing or wrong (401). */
  authenticate(header: string | undefined): Principal | null {
    if (!this.enabled) return ANONYMOUS
    if (!header) return null
    const sp = header.indexOf(' ')
    const kind = header.slice(0, sp).toLowerCase()
    const cred = header.slice(sp + 1).trim()
    if (kind === 'bearer' || kind === 'apikey') {
      for (const t of this.cfg.tokens ?? [])
        if (same(t.token, cred)) return { name: t.name ?? 'token', scope: t.scope, namespaces: t.namespaces ?? null }
      return null
    }
    if (kind === 'basic') {
      const text = Buffer.from(cred, 'base64').toString('utf8')
      const i = text.indexOf(':')
      if (i < 0) return null
      const user = text.slice(0, i)
      const pass = text.slice(i + 1)
      for (const u of this.cfg.users ?? [])
        if (same(u.username, user) && same(u.password, pass))
          return { name: u.username, scope: u.scope, namespaces: u.namespaces ?? null }
      // A token as the password of any user name (for clients that only speak basic auth).
      for (const t of this.cfg.tokens ?? [])
        if (same(t.token, pass)) return { name: t.name ?? user, scope: t.scope, namespaces: t.namespaces ?? null }
    }
    return null
  }
}

export function allows(p: Principal, need: 'ingest' | 'read'): boolean {
  return p.scope === 'admin' || p.scope === need
}

// `sluice server --config FILE`: YAML (or JSON, which is YAML) with the same settings as the flags
// plus auth, TLS, retention and forward. Every problem is reported at once, each with its key.
//
//   data: ./data
//   host: 127.0.0.1
//   es_port: 9200
//   ui_port: 5601
//   forward_port: 24224        # or off
//   otlp_port: 4318            # optional separate OTLP/HTTP port (also served on es_port)
//   retention: { max_age: 7d, max_size: 50GB }
//   forward: { shared_key: s3cret, self_hostname: sluice, index: fluent-forward }
//   tls: { cert: server.crt, key: server.key }
//   auth:
//     tokens:
//       - { name: fluent-bit, token: abc, scope: ingest }
//       - { name: team-a, token: def, scope: read, namespaces: [team-a] }
//     users:
//       - { username: elastic, password: changeme, scope: admin }

import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseSize, parseTime } from '@sluice/core/options.ts'
import { parse as parseYaml } from 'yaml'
import type { AuthConfig, Scope } from './auth.ts'
import type { ServerOptions } from './server.ts'

export type ServerConfig = {
  -readonly [K in keyof Omit<ServerOptions, 'log' | 'store' | 'webRoot'>]?: ServerOptions[K]
} & { logLevel?: string }

const TOP = new Set([
  'data',
  'host',
  'es_port',
  'ui_port',
  'forward_port',
  'otlp_port',
  'retention',
  'forward',
  'tls',
  'auth',
  'log_level',
  'cluster_name',
])

export function parsePort(v: unknown, key: string, errors: string[], allowOff = false): number | null | undefined {
  if (v === undefined) return undefined
  if (allowOff && (v === false || v === 'off' || v === null)) return null
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    errors.push(`${key}: '${String(v)}' is not a port (0-65535${allowOff ? ', or off' : ''})`)
    return undefined
  }
  return n
}

function scopes(v: unknown, key: string, errors: string[]): Scope {
  if (v === 'ingest' || v === 'read' || v === 'admin') return v
  errors.push(`${key}: scope '${String(v)}' is not one of ingest, read, admin`)
  return 'read'
}

function strList(v: unknown, key: string, errors: string[]): string[] | undefined {
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    errors.push(`${key}: must be a list of strings`)
    return undefined
  }
  return v as string[]
}

/** Reads and checks a config file. Returns the settings or all problems found. */
export function loadServerConfig(path: string): { config: ServerConfig } | { errors: string[] } {
  let doc: unknown
  try {
    doc = parseYaml(readFileSync(path, 'utf8'))
  } catch (e) {
    return { errors: [`${path}: cannot read: ${(e as Error).message}`] }
  }
  if (doc === null || doc === undefined) return { config: {} }
  if (typeof doc !== 'object' || Array.isArray(doc)) return { errors: [`${path}: the file must be a map of settings`] }
  const d = doc as Record<string, unknown>
  const errors: string[] = []
  const base = dirname(resolve(path))
  const c: ServerConfig = {}
  for (const k of Object.keys(d)) if (!TOP.has(k)) errors.push(`${k}: unknown setting (known: ${[...TOP].join(', ')})`)
  if (d.data !== undefined) c.dataDir = resolve(base, String(d.data))
  if (d.host !== undefined) c.host = String(d.host)
  if (d.cluster_name !== undefined) c.clusterName = String(d.cluster_name)
  if (d.log_level !== undefined) c.logLevel = String(d.log_level)
  const es = parsePort(d.es_port, 'es_port', errors)
  if (typeof es === 'number') c.esPort = es
  const ui = parsePort(d.ui_port, 'ui_port', errors)
  if (typeof ui === 'number') c.uiPort = ui
  const fwd = parsePort(d.forward_port, 'forward_port', errors, true)
  if (fwd !== undefined) c.forwardPort = fwd
  const otlp = parsePort(d.otlp_port, 'otlp_port', errors, true)
  if (otlp !== undefined) c.otlpPort = otlp
  if (d.retention !== undefined) {
    const r = (d.retention ?? {}) as Record<string, unknown>
    const out: { maxAgeSeconds?: number; maxBytes?: number } = {}
    if (r.max_age !== undefined) {
      const s = parseTime(String(r.max_age))
      if (s === undefined || s <= 0)
        errors.push(`retention.max_age: '${r.max_age}' is not a duration (examples: 7d, 12h)`)
      else out.maxAgeSeconds = s
    }
    if (r.max_size !== undefined) {
      const b = parseSize(String(r.max_size))
      if (b === undefined || b <= 0)
        errors.push(`retention.max_size: '${r.max_size}' is not a size (examples: 500MB, 50GB)`)
      else out.maxBytes = b
    }
    for (const k of Object.keys(r))
      if (k !== 'max_age' && k !== 'max_size') errors.push(`retention.${k}: unknown setting (max_age, max_size)`)
    c.retention = out
  }
  if (d.forward !== undefined) {
    const f = (d.forward ?? {}) as Record<string, unknown>
    for (const k of Object.keys(f))
      if (!['shared_key', 'self_hostname', 'index'].includes(k))
        errors.push(`forward.${k}: unknown setting (shared_key, self_hostname, index)`)
    c.forward = {
      sharedKey: f.shared_key === undefined ? undefined : String(f.shared_key),
      selfHostname: f.self_hostname === undefined ? undefined : String(f.self_hostname),
      index: f.index === undefined ? undefined : String(f.index),
    }
  }
  if (d.tls !== undefined) {
    const t = (d.tls ?? {}) as Record<string, unknown>
    if (typeof t.cert !== 'string' || typeof t.key !== 'string')
      errors.push('tls: needs both cert and key (PEM file paths)')
    else c.tls = { cert: resolve(base, t.cert), key: resolve(base, t.key) }
  }
  if (d.auth !== undefined) {
    const a = (d.auth ?? {}) as Record<string, unknown>
    const auth: { tokens?: AuthConfig['tokens']; users?: AuthConfig['users'] } = {}
    if (a.tokens !== undefined) {
      if (!Array.isArray(a.tokens)) errors.push('auth.tokens: must be a list')
      else
        auth.tokens = a.tokens.map((t: Record<string, unknown>, i: number) => {
          const key = `auth.tokens[${i}]`
          if (typeof t?.token !== 'string' || t.token.length < 8)
            errors.push(`${key}.token: must be a string of at least 8 characters`)
          return {
            token: String(t?.token),
            name: t?.name === undefined ? `token${i}` : String(t.name),
            scope: scopes(t?.scope, key, errors),
            namespaces: strList(t?.namespaces, `${key}.namespaces`, errors),
          }
        })
    }
    if (a.users !== undefined) {
      if (!Array.isArray(a.users)) errors.push('auth.users: must be a list')
      else
        auth.users = a.users.map((u: Record<string, unknown>, i: number) => {
          const key = `auth.users[${i}]`
          if (typeof u?.username !== 'string' || typeof u?.password !== 'string')
            errors.push(`${key}: needs username and password`)
          return {
            username: String(u?.username),
            password: String(u?.password),
            scope: scopes(u?.scope, key, errors),
            namespaces: strList(u?.namespaces, `${key}.namespaces`, errors),
          }
        })
    }
    c.auth = auth
  }
  return errors.length > 0 ? { errors: errors.map((e) => `${path}: ${e}`) } : { config: c }
}

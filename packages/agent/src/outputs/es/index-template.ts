// An index template that keeps dotted label keys flat, so `app` and `app.kubernetes.io/name` never
// collide (seed 004, issue 3: "mapper_parsing_exception: Could not dynamically add mapping for field").
// Elasticsearch expands dots in field names into objects: `app.kubernetes.io/name` needs `app` to be an
// object, while another pod's `app: web` made it a keyword. Which mapping prevents it depends on the server:
//
//   Elasticsearch ≥ 8.3           `subobjects: false` on the label objects (keys stay literal)
//   Elasticsearch 7.3 – 8.2       `type: flattened` (the whole object is one keyword-like field)
//   OpenSearch ≥ 2.7              `type: flat_object`
//   older servers                 none: use Replace_Dots On (a warning says so)
//
// Composable templates (`PUT _index_template/<name>`) are used on Elasticsearch ≥ 7.8 and OpenSearch;
// legacy ones (`PUT _template/<name>`) on Elasticsearch 7.3 – 7.7.

import type { Sender } from './sender.ts'

export interface ServerInfo {
  readonly distribution: 'elasticsearch' | 'opensearch'
  readonly major: number
  readonly minor: number
  readonly number: string
}

export function parseServerInfo(body: string): ServerInfo | undefined {
  try {
    const j = JSON.parse(body) as { version?: { number?: string; distribution?: string } }
    const number = j.version?.number
    if (!number) return undefined
    const [major = 0, minor = 0] = number.split('.').map((x) => Number.parseInt(x, 10))
    return {
      distribution: j.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch',
      major,
      minor,
      number,
    }
  } catch {
    return undefined
  }
}

const atLeast = (s: ServerInfo, major: number, minor: number) =>
  s.major > major || (s.major === major && s.minor >= minor)

export type FlatStrategy = 'subobjects' | 'flattened' | 'flat_object' | 'none'

export function flatStrategy(s: ServerInfo): FlatStrategy {
  if (s.distribution === 'opensearch') return atLeast(s, 2, 7) ? 'flat_object' : 'none'
  if (atLeast(s, 8, 3)) return 'subobjects'
  if (atLeast(s, 7, 3)) return 'flattened'
  return 'none'
}

/** Mapping `properties` for dotted paths like `kubernetes.labels`, nested as objects. */
export function templateProperties(fields: readonly string[], strategy: FlatStrategy): Record<string, unknown> {
  const root: Record<string, any> = {}
  for (const f of fields) {
    const segs = f.split('.')
    let cur = root
    for (let i = 0; i < segs.length - 1; i++) {
      cur[segs[i]!] ??= { type: 'object', properties: {} }
      cur = cur[segs[i]!].properties
    }
    const leaf = segs[segs.length - 1]!
    cur[leaf] =
      strategy === 'subobjects'
        ? { type: 'object', subobjects: false }
        : strategy === 'flattened'
          ? { type: 'flattened' }
          : { type: 'flat_object' }
  }
  return root
}

export interface TemplateRequest {
  readonly path: string
  readonly body: Record<string, unknown>
}

/** The template request for a server, or undefined when it has no flat mapping (use Replace_Dots). */
export function templateRequest(
  name: string,
  patterns: readonly string[],
  fields: readonly string[],
  s: ServerInfo,
): TemplateRequest | undefined {
  const strategy = flatStrategy(s)
  if (strategy === 'none') return undefined
  const mappings = { properties: templateProperties(fields, strategy) }
  const composable = s.distribution === 'opensearch' || atLeast(s, 7, 8)
  if (composable) {
    // Priority above the built-in `logs-*-*` (100) so it wins for our own patterns only.
    return {
      path: `/_index_template/${encodeURIComponent(name)}`,
      body: { index_patterns: patterns, priority: 150, template: { mappings }, _meta: { managed_by: 'sluice' } },
    }
  }
  return { path: `/_template/${encodeURIComponent(name)}`, body: { index_patterns: patterns, order: 10, mappings } }
}

/** Index patterns an output writes to, from its options. */
export function indexPatterns(o: {
  logstash_format: boolean
  logstash_prefix: string
  logstash_prefix_separator: string
  index: string
}): string[] {
  if (o.logstash_format) return [`${o.logstash_prefix}${o.logstash_prefix_separator}*`]
  const base = o.index.includes('%') ? `${o.index.slice(0, o.index.indexOf('%'))}*` : o.index
  return base.endsWith('*') ? [base] : [base, `${base}-*`]
}

export type InstallResult =
  | { readonly kind: 'installed'; readonly name: string; readonly strategy: FlatStrategy; readonly server: string }
  | { readonly kind: 'unsupported'; readonly server: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string }

/** Reads the server version (`GET /`) and installs the template. */
export async function installTemplate(
  sender: Sender,
  prefix: string,
  name: string,
  patterns: readonly string[],
  fields: readonly string[],
): Promise<InstallResult> {
  const info = await sender.send('GET', `${prefix}/`, undefined)
  if (info.kind === 'network') return { kind: 'retry', reason: `cannot read server version: ${info.error}` }
  if (info.status >= 500 || info.status === 429)
    return { kind: 'retry', reason: `cannot read server version: HTTP ${info.status}` }
  const server = info.status === 200 ? parseServerInfo(info.body) : undefined
  if (!server)
    return { kind: 'failed', reason: `cannot read server version: HTTP ${info.status} ${info.body.slice(0, 200)}` }
  const req = templateRequest(name, patterns, fields, server)
  const label = `${server.distribution} ${server.number}`
  if (!req) return { kind: 'unsupported', server: label }
  const put = await sender.send('PUT', prefix + req.path, JSON.stringify(req.body), undefined, 'application/json')
  if (put.kind === 'network') return { kind: 'retry', reason: `cannot install index template: ${put.error}` }
  if (put.status >= 500 || put.status === 429)
    return { kind: 'retry', reason: `cannot install index template: HTTP ${put.status}` }
  if (put.status !== 200)
    return {
      kind: 'failed',
      reason: `cannot install index template ${name}: HTTP ${put.status} ${put.body.slice(0, 300)}`,
    }
  return { kind: 'installed', name, strategy: flatStrategy(server), server: label }
}

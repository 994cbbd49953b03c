// A Kubernetes ConfigMap manifest given instead of a config file (as the seeds deploy Fluent Bit:
// the ConfigMap is mounted at /fluent-bit/etc/ and each data key becomes a file). The manifest may
// hold several documents (`---`); the caller picks the ConfigMap whose data has the entry key.
//
// Manifests copied from blog posts often lost their indentation, which makes them invalid YAML
// (seed 000). Then the data is recovered line by line: every `key: |` line starts a file, every
// `key: "value"` line is a one-line value, and the text up to the next such line is the file.

import { LineCounter, parseAllDocuments } from 'yaml'
import type { Diagnostic } from '../diagnostics.ts'

export interface ConfigMapDoc {
  readonly name: string
  readonly data: Map<string, string>
  /** Line of the document's `kind: ConfigMap`. */
  readonly line: number
}

export { looksLikeConfigMap } from './configmap-detect.ts'

interface Manifest {
  kind?: unknown
  metadata?: { name?: unknown }
  data?: unknown
  items?: unknown
}

export function readConfigMaps(text: string, file: string, diagnostics: Diagnostic[]): ConfigMapDoc[] {
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false })
  const list = Array.isArray(docs) ? docs : [docs]
  const firstError = list.flatMap((doc) => doc.errors)[0]
  if (firstError === undefined) {
    const out: ConfigMapDoc[] = []
    for (const doc of list) {
      const line = doc.contents?.range ? lc.linePos(doc.contents.range[0]).line : 1
      const js = doc.toJS() as Manifest | null
      // `kubectl get cm -o yaml` without a name prints a `kind: List` of items.
      const objects = js?.kind === 'List' && Array.isArray(js.items) ? (js.items as Manifest[]) : [js]
      for (const o of objects) {
        if (o?.kind !== 'ConfigMap') continue
        const data = new Map<string, string>()
        if (o.data && typeof o.data === 'object') {
          for (const [k, v] of Object.entries(o.data as Record<string, unknown>)) {
            if (v !== null && v !== undefined) data.set(k, String(v))
          }
        }
        out.push({ name: String(o.metadata?.name ?? ''), data, line })
      }
    }
    return out
  }
  const recovered = recoverByLine(text)
  diagnostics.push({
    severity: 'warning',
    message:
      `the manifest is not valid YAML (${firstError.message.split('\n')[0]}); ` +
      `recovered ${recovered.reduce((n, m) => n + m.data.size, 0)} data keys line by line, taking each 'key: |' line as the start of a file ` +
      '(was the indentation lost when it was pasted?)',
    file,
    line: firstError.linePos?.[0]?.line ?? 1,
  })
  return recovered
}

const TOP_KEYS = /^(apiVersion|kind|metadata|binaryData|immutable|data):/
const BLOCK_KEY = /^\s*([A-Za-z0-9._-]+):\s*[|>][-+]?\d*\s*$/
const QUOTED_KEY = /^\s*([A-Za-z0-9._-]+):\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)')\s*$/
/** Unquoted one-word values are taken as keys only for the flags ConfigMaps are known to carry. */
const FLAG_KEY = /^\s*(flb_log_cw):\s*([A-Za-z0-9._-]+)\s*$/

/** Line-by-line recovery of ConfigMaps whose indentation was lost. */
export function recoverByLine(text: string): ConfigMapDoc[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  const out: ConfigMapDoc[] = []
  let start = 0
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || /^---\s*$/.test(lines[i]!)) {
      const doc = recoverDoc(lines, start, i)
      if (doc) out.push(doc)
      start = i + 1
    }
  }
  return out
}

function recoverDoc(lines: readonly string[], from: number, to: number): ConfigMapDoc | undefined {
  let kindLine = -1
  let name = ''
  for (let i = from; i < to; i++) {
    if (/^\s*kind:\s*["']?ConfigMap["']?\s*$/.test(lines[i]!)) kindLine = i
  }
  if (kindLine < 0) return undefined
  const metaAt = lines.findIndex((l, i) => i >= from && i < to && /^\s*metadata:\s*$/.test(l))
  for (let i = metaAt >= 0 ? metaAt + 1 : from; i < to; i++) {
    const m = /^\s*name:\s*["']?([^"'\s]+)["']?\s*$/.exec(lines[i]!)
    if (m) {
      name = m[1]!
      break
    }
  }
  const data = new Map<string, string>()
  let inData = false
  let key: string | undefined
  let body: string[] = []
  const finish = (): void => {
    if (key !== undefined) data.set(key, dedent(body))
    key = undefined
    body = []
  }
  for (let i = from; i < to; i++) {
    const l = lines[i]!
    if (!inData) {
      if (/^\s*data:\s*$/.test(l)) inData = true
      continue
    }
    if (TOP_KEYS.test(l)) {
      finish()
      inData = /^data:\s*$/.test(l)
      continue
    }
    const block = BLOCK_KEY.exec(l)
    if (block) {
      finish()
      key = block[1]!
      continue
    }
    const quoted = QUOTED_KEY.exec(l)
    if (quoted) {
      finish()
      data.set(quoted[1]!, quoted[2] !== undefined ? quoted[2].replace(/\\(.)/g, '$1') : quoted[3]!.replace(/''/g, "'"))
      continue
    }
    const flag = FLAG_KEY.exec(l)
    if (flag) {
      finish()
      data.set(flag[1]!, flag[2]!)
      continue
    }
    if (key !== undefined) body.push(l)
    // Before the first key: YAML comments and blank lines of the data map.
  }
  finish()
  return { name, data, line: kindLine + 1 }
}

/** Removes the common indentation and trailing blank lines (as a YAML `|` block scalar reads). */
function dedent(lines: string[]): string {
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  let common = Number.POSITIVE_INFINITY
  for (const l of lines) if (l.trim() !== '') common = Math.min(common, l.length - l.trimStart().length)
  if (!Number.isFinite(common)) common = 0
  return (
    lines.map((l) => l.slice(Math.min(common, l.length - l.trimStart().length))).join('\n') + (lines.length ? '\n' : '')
  )
}

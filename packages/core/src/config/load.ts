// Loads a configuration file in any supported form: Fluent Bit classic, Fluent Bit YAML, or a
// Kubernetes ConfigMap manifest wrapping either (including EKS Fargate's `aws-logging` ConfigMap).
// Never throws for a bad config: every problem becomes a Diagnostic with file and line, so that
// `sluice check` can report all of them at once.

import { readFile } from 'node:fs/promises'
import { dirname, extname } from 'node:path'
import type { Diagnostic } from '../diagnostics.ts'
import { readClassic } from './classic.ts'
import { type Collector, type FileRole, MAX_FILES_READ, MAX_INCLUDE_DEPTH, type MutableSection } from './collector.ts'
import type { ConfigMapDoc } from './configmap.ts'
import { looksLikeConfigMap } from './configmap-detect.ts'
import { FARGATE_INPUT, FARGATE_INPUT_NAME, FARGATE_KEYS, FARGATE_MAX_CHARS, isFargateConfigMap } from './fargate.ts'
import { entryValue, type LoadedConfig, type Section } from './model.ts'
import { FileSource } from './source.ts'

export interface LoadOptions {
  /** For a ConfigMap: which data key is the entry file (default fluent-bit.conf / fluent-bit.yaml). */
  readonly entry?: string
  /** Environment for `${VAR}` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * The text of the config when it does not come from a file (`sluice check -c -` reads stdin):
   * `path` then only names it in messages, and relative paths resolve against its directory.
   */
  readonly text?: string
}

const DEFAULT_ENTRIES = ['fluent-bit.conf', 'fluent-bit.yaml', 'fluent-bit.yml']

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const diagnostics: Diagnostic[] = []
  const baseDir = dirname(path)
  let text: string
  try {
    text = (opts.text ?? (await readFile(path, 'utf8'))).replace(/^\uFEFF/, '') // editors on Windows add a BOM
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      message: `cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      file: path,
    })
    return assemble(path, baseDir, [], [], diagnostics, new Map())
  }

  if (!looksLikeConfigMap(text)) {
    const col = collector(new FileSource(), baseDir, diagnostics, opts)
    await readAny(path, text, col, 'main', [])
    await readParsersFiles(col)
    return assemble(path, baseDir, col.files, col.sections, diagnostics, new Map())
  }

  // the YAML library loads only for YAML and ConfigMap configs (configmap-detect.ts)
  const { readConfigMaps } = await import('./configmap.ts')
  const maps = readConfigMaps(text, path, diagnostics)
  const wanted = opts.entry ? [opts.entry] : DEFAULT_ENTRIES
  const cm = maps.find((m) => wanted.some((k) => m.data.has(k)))
  if (cm) {
    const key = wanted.find((k) => cm.data.has(k))!
    const source = new FileSource({ name: cm.name, data: cm.data })
    const col = collector(source, baseDir, diagnostics, opts)
    const entry = source.virtualName(key)
    await readAny(entry, cm.data.get(key)!, col, 'main', [])
    await readParsersFiles(col)
    return assemble(entry, baseDir, col.files, col.sections, diagnostics, cm.data)
  }
  const fargate = opts.entry ? undefined : maps.find((m) => isFargateConfigMap(m.name, m.data))
  if (fargate) return loadFargate(fargate, path, baseDir, diagnostics, opts)

  diagnostics.push({
    severity: 'error',
    message:
      maps.length === 0
        ? 'no ConfigMap with a data map found in the manifest'
        : `no ConfigMap has a data key ${wanted.join(' or ')} (found: ${maps
            .map((m) => `${m.name || '(unnamed)'}: ${[...m.data.keys()].join(', ') || 'no data'}`)
            .join('; ')}); name the entry key with --entry`,
    file: path,
    line: maps[0]?.line,
  })
  return assemble(path, baseDir, [], [], diagnostics, maps[0]?.data ?? new Map())
}

/** Seed 001: filters.conf, output.conf and parsers.conf run behind Fargate's fixed tail input. */
async function loadFargate(
  cm: ConfigMapDoc,
  path: string,
  baseDir: string,
  diagnostics: Diagnostic[],
  opts: LoadOptions,
): Promise<LoadedConfig> {
  const source = new FileSource({ name: cm.name, data: cm.data })
  const col = collector(source, baseDir, diagnostics, opts)
  const entry = `configmap:${cm.name}`
  const size = [...cm.data.values()].reduce((n, v) => n + v.length, 0)
  if (size > FARGATE_MAX_CHARS) {
    diagnostics.push({
      severity: 'warning',
      message: `the aws-logging ConfigMap has ${size} characters of data; EKS Fargate rejects more than ${FARGATE_MAX_CHARS}`,
      file: path,
      line: cm.line,
    })
  }
  for (const k of cm.data.keys()) {
    if (!(FARGATE_KEYS as readonly string[]).includes(k)) {
      diagnostics.push({
        severity: 'warning',
        message: `data key '${k}' is ignored by the EKS Fargate log router (it reads ${FARGATE_KEYS.join(', ')})`,
        file: path,
        line: cm.line,
      })
    }
  }
  await readAny(FARGATE_INPUT_NAME, FARGATE_INPUT, col, 'main', [])
  const allowed: Record<string, string> = { 'filters.conf': 'filter', 'output.conf': 'output' }
  for (const key of ['filters.conf', 'output.conf']) {
    const text = cm.data.get(key)
    if (text === undefined) {
      if (key === 'output.conf')
        diagnostics.push({
          severity: 'error',
          message: 'the aws-logging ConfigMap has no output.conf: the Fargate log router has nowhere to send logs',
          file: path,
          line: cm.line,
        })
      continue
    }
    const name = source.virtualName(key)
    const before = col.sections.length
    await readAny(name, text, col, 'main', [])
    for (const s of col.sections.slice(before)) {
      if (s.loc.file === name && s.kind !== allowed[key]) {
        diagnostics.push({
          severity: 'error',
          message: `[${s.kind.toUpperCase()}] is not allowed in ${key}: the Fargate log router only takes [${allowed[key]!.toUpperCase()}] sections there`,
          ...s.loc,
        })
      }
    }
  }
  if (cm.data.has('parsers.conf')) await readParsersFile('parsers.conf', col, FARGATE_INPUT_NAME, 0)
  return assemble(entry, baseDir, col.files, col.sections, diagnostics, cm.data)
}

function collector(source: FileSource, baseDir: string, diagnostics: Diagnostic[], opts: LoadOptions): Collector {
  return {
    source,
    scope: { env: opts.env ?? process.env, set: new Map() },
    diagnostics,
    files: [],
    sections: [],
    baseDir,
    reportedLoops: new Set(),
  }
}

/** YAML by extension (.yaml/.yml), classic for any other extension, by content without one. */
export function detectFormat(name: string, text: string): 'yaml' | 'classic' {
  const ext = extname(name.replace(/^configmap:[^/]*\//, '')).toLowerCase()
  if (ext === '.yaml' || ext === '.yml') return 'yaml'
  if (ext !== '') return 'classic'
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (t === '' || t.startsWith('#')) continue
    if (t.startsWith('[') || t.startsWith('@')) return 'classic'
    return /^[A-Za-z_][\w.-]*:(\s|$)/.test(t) || t.startsWith('---') ? 'yaml' : 'classic'
  }
  return 'classic'
}

async function readAny(
  name: string,
  text: string,
  col: Collector,
  role: FileRole,
  stack: readonly string[],
): Promise<void> {
  col.files.push(name)
  const inner = [...stack, name]
  const include = async (ref: string, from: string, line: number, st: readonly string[]): Promise<void> => {
    const loc = { file: from, line }
    if (st.length >= MAX_INCLUDE_DEPTH) {
      col.diagnostics.push({ severity: 'error', message: `includes nested deeper than ${MAX_INCLUDE_DEPTH}`, ...loc })
      return
    }
    const names = await col.source.expand(ref, col.source.dirOf(from, col.baseDir))
    if (names.length === 0) {
      col.diagnostics.push({
        severity: /[*?[]/.test(ref) ? 'warning' : 'error',
        message: /[*?[]/.test(ref)
          ? `@INCLUDE ${ref} matches no file`
          : `cannot include '${ref}': no such file${col.source.configMap ? ` (nor data key in ConfigMap ${col.source.configMap.name})` : ''}`,
        ...loc,
      })
      return
    }
    for (const n of names) {
      if (col.files.length >= MAX_FILES_READ) {
        col.diagnostics.push({
          severity: 'error',
          message: `more than ${MAX_FILES_READ} files read through includes; '${ref}' and the rest are not followed (do includes include each other?)`,
          ...loc,
        })
        return
      }
      if (st.includes(n)) {
        // One report per include line and target, however many paths lead to it.
        const key = `${from}:${line}→${n}`
        if (col.reportedLoops.has(key)) continue
        col.reportedLoops.add(key)
        col.diagnostics.push({
          severity: 'error',
          message: `include loop: ${[...st.slice(st.indexOf(n)), n].join(' → ')}; not followed`,
          ...loc,
        })
        continue
      }
      let text: string
      try {
        text = await col.source.read(n)
      } catch (err) {
        col.diagnostics.push({ severity: 'error', message: (err as Error).message, ...loc })
        continue
      }
      await readAny(n, text, col, role, st)
    }
  }
  if (detectFormat(name, text) === 'yaml') {
    const { readYaml } = await import('./yaml-format.ts')
    await readYaml(name, text, col, role, inner, include)
  } else {
    await readClassic(name, text, col, role, inner, include)
  }
}

/** Loads every `Parsers_File` of the [SERVICE] sections (relative to the entry config's directory). */
async function readParsersFiles(col: Collector): Promise<void> {
  const services = col.sections.filter((s) => s.kind === 'service')
  for (const s of services) {
    for (const e of s.entries) {
      if (e.key.toLowerCase() !== 'parsers_file') continue
      await readParsersFile(e.value, col, e.loc?.file ?? '', e.loc?.line ?? 0)
    }
  }
}

async function readParsersFile(ref: string, col: Collector, from: string, line: number): Promise<void> {
  const loc = { file: from, line }
  const names = await col.source.expand(ref, col.baseDir)
  if (names.length === 0) {
    // The official image ships /fluent-bit/etc/parsers*.conf; Sluice has those parsers built in.
    const stock = /^\/fluent-bit\/etc\/parsers[\w-]*\.conf$/.test(ref)
    col.diagnostics.push({
      severity: stock ? 'warning' : 'error',
      message: stock
        ? `parsers file '${ref}' not found; it is the Fluent Bit image's stock file, whose parsers Sluice has built in`
        : `cannot read parsers file '${ref}': no such file${col.source.configMap ? ` (nor data key in ConfigMap ${col.source.configMap.name})` : ''}`,
      option: 'Parsers_File',
      ...loc,
    })
    return
  }
  for (const n of names) {
    if (col.files.includes(n)) continue
    let text: string
    try {
      text = await col.source.read(n)
    } catch (err) {
      col.diagnostics.push({ severity: 'error', message: (err as Error).message, option: 'Parsers_File', ...loc })
      continue
    }
    await readAny(n, text, col, 'parsers', [])
  }
}

function assemble(
  entry: string,
  baseDir: string,
  files: string[],
  sections: MutableSection[],
  diagnostics: Diagnostic[],
  virtualFiles: ReadonlyMap<string, string>,
): LoadedConfig {
  const of = (k: Section['kind']): Section[] => sections.filter((s) => s.kind === k)
  return {
    entry,
    files,
    baseDir,
    service: of('service'),
    inputs: of('input'),
    filters: of('filter'),
    outputs: of('output'),
    parsers: of('parser'),
    multilineParsers: of('multiline_parser'),
    otherSections: sections.filter((s) => s.kind === 'plugins' || s.kind === 'upstream'),
    diagnostics,
    virtualFiles,
  }
}

export { entryValue }

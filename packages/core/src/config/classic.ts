// Fluent Bit's classic configuration format (docs.fluentbit.io, "Classic mode"; the reader is
// fluent-bit/src/config_format/flb_cf_fluentbit.c): `[SECTION]` headers, indented `Key Value` lines,
// whole-line `#` comments, `@INCLUDE file-or-glob` and `@SET KEY=VALUE` directives.
//
// Departures, each reported: keys written without any indentation are accepted with ONE warning per
// file (Fluent Bit rejects them; configs pasted into blog posts and chat lose their indentation), and
// a ` # ` inside a value is kept as Fluent Bit keeps it (end-of-line comments are not supported:
// fluent/fluent-bit#8140, documented since fluent-bit-docs#1251) but warned about, because it turns
// `Parser cri  # containerd` into a parser named `cri  # containerd`.

import { closest } from '../options.ts'
import {
  type Collector,
  type FileRole,
  isParserKind,
  type MutableSection,
  newSection,
  SECTION_KINDS,
} from './collector.ts'
import { expandVariables } from './variables.ts'

/** Follows an include: `ref` as written in file `from`. Provided by the loader (any format). */
export type IncludeFn = (ref: string, from: string, line: number, stack: readonly string[]) => Promise<void>

/** Sections Fluent Bit knows that Sluice does not run (skipped with a warning, not an error). */
export const UNSUPPORTED_SECTIONS: Record<string, string> = {
  custom: 'custom plugins (Fluent Bit [CUSTOM], e.g. calyptia) are not supported by Sluice',
}

/** Keys whose values are regular expressions or formats, where `#` is ordinary text. */
const NO_COMMENT_WARNING = new Set(['regex', 'rule', 'format', 'time_format', 'match_regex', 'exclude', 'regex_parser'])

export async function readClassic(
  name: string,
  text: string,
  col: Collector,
  role: FileRole,
  stack: readonly string[],
  include: IncludeFn,
): Promise<void> {
  const lines = text.split('\n')
  let cur: MutableSection | 'skip' | null = null
  let fileIndent: string | undefined
  let fileIndentLine = 0
  let warnedUnindented = false
  let orphanReported = false
  const d = col.diagnostics

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '')
    const line = i + 1
    const loc = { file: name, line }
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) continue
    const indent = raw.length - raw.trimStart().length

    if (t.startsWith('@')) {
      const m = /^@(\S+)\s*(.*)$/.exec(t)
      if (m === null) {
        // `@` alone or followed by a space: no directive name at all.
        d.push({ severity: 'error', message: `'${t}' is not a directive (Fluent Bit knows @INCLUDE and @SET)`, ...loc })
        continue
      }
      const directive = m[1]!.toUpperCase()
      const arg = m[2]!.trim()
      if (directive === 'INCLUDE') {
        if (arg === '') {
          d.push({ severity: 'error', message: '@INCLUDE needs a file name or glob', ...loc })
          continue
        }
        cur = null
        await include(expandVariables(arg, col.scope, d, loc), name, line, stack)
      } else if (directive === 'SET') {
        const eq = arg.indexOf('=')
        if (eq <= 0) {
          d.push({ severity: 'error', message: `@SET needs KEY=VALUE, found '${arg}'`, ...loc })
          continue
        }
        if (cur !== null && indent > 0) {
          d.push({
            severity: 'error',
            message: '@SET must be at the top level, not inside a section (Fluent Bit ignores it there)',
            ...loc,
          })
          continue
        }
        col.scope.set.set(arg.slice(0, eq).trim(), expandVariables(arg.slice(eq + 1).trim(), col.scope, d, loc))
      } else {
        d.push({
          severity: 'error',
          message: `unknown directive '@${m[1]}' (Fluent Bit knows @INCLUDE and @SET)`,
          ...loc,
        })
      }
      continue
    }

    if (t.startsWith('[')) {
      orphanReported = false
      const m = /^\[\s*([^\]\s]+)\s*\]$/.exec(t)
      if (!m) {
        d.push({ severity: 'error', message: `malformed section header '${t}' (expected [NAME])`, ...loc })
        cur = 'skip'
        continue
      }
      const kind = SECTION_KINDS[m[1]!.toLowerCase()]
      const unsupported = UNSUPPORTED_SECTIONS[m[1]!.toLowerCase()]
      if (unsupported !== undefined) {
        d.push({ severity: 'warning', message: `[${m[1]}] is ignored: ${unsupported}`, ...loc })
        cur = 'skip'
        continue
      }
      if (kind === undefined) {
        const near = closest(
          m[1]!.toUpperCase(),
          Object.keys(SECTION_KINDS).map((k) => k.toUpperCase()),
        )
        d.push({
          severity: 'error',
          message: `unknown section [${m[1]}]${near ? ` (did you mean [${near}]?)` : ''}; its keys are ignored`,
          ...loc,
        })
        cur = 'skip'
        continue
      }
      if (role === 'parsers' && !isParserKind(kind)) {
        d.push({
          severity: 'error',
          message: `section [${m[1]}] is not allowed in a parsers file (only [PARSER] and [MULTILINE_PARSER]); ignored`,
          ...loc,
        })
        cur = 'skip'
        continue
      }
      cur = newSection(kind, loc)
      col.sections.push(cur)
      continue
    }

    // A `Key Value` line.
    if (cur === null) {
      if (!orphanReported) {
        d.push({
          severity: 'error',
          message: `'${t}' is outside any section (a key must follow a [SECTION] header)`,
          ...loc,
        })
        orphanReported = true
      }
      continue
    }
    if (indent === 0 && !warnedUnindented) {
      warnedUnindented = true
      d.push({
        severity: 'warning',
        message:
          'keys are not indented under their section headers; Fluent Bit rejects this, Sluice accepts it ' +
          '(was the indentation lost when the config was pasted?)',
        ...loc,
      })
    }
    // Fluent Bit (mk_rconf) takes the first indented key of a file as the file's indentation and
    // rejects any other: too low, extra, or the same width made of other tabs/spaces.
    const prefix = raw.slice(0, indent)
    if (indent > 0) {
      if (fileIndent === undefined) {
        fileIndent = prefix
        fileIndentLine = line
      } else if (prefix !== fileIndent) {
        const why =
          indent < fileIndent.length
            ? 'indentation level is too low'
            : indent > fileIndent.length
              ? 'extra indentation level'
              : 'inconsistent use of tabs and spaces'
        d.push({
          severity: 'error',
          message: `invalid indentation: ${why} (${describeIndent(prefix)} here, ${describeIndent(fileIndent)} at line ${fileIndentLine}; Fluent Bit requires the same indentation for every key of a file)`,
          ...loc,
        })
      }
    }
    if (cur === 'skip') continue
    const kv = /^(\S+)(?:\s+(.*))?$/.exec(t)!
    const key = kv[1]!
    const rawValue = kv[2]?.trim() ?? ''
    if (rawValue === '') {
      d.push({
        severity: 'error',
        message: `key '${key}' has no value`,
        instance: undefined,
        option: key,
        ...loc,
      })
      continue
    }
    const value = expandVariables(rawValue, col.scope, d, loc)
    if (cur.kind === 'multiline_parser' && key.toLowerCase() === 'rule') {
      const parts = splitQuoted(value)
      if (parts === undefined || parts.length !== 3) {
        d.push({
          severity: 'error',
          message: `rule needs three double-quoted parts: "state" "/regex/" "next_state"; found ${value}`,
          option: key,
          ...loc,
        })
        continue
      }
      ;(cur.rules ??= []).push({ state: parts[0]!, regex: parts[1]!, next: parts[2]!, loc })
      continue
    }
    const hash = /\s#/.exec(value)
    if (hash && !NO_COMMENT_WARNING.has(key.toLowerCase())) {
      d.push({
        severity: 'warning',
        message: `the value of '${key}' contains '#': Fluent Bit has no inline comments, so the value is '${value}'; put the comment on its own line`,
        option: key,
        ...loc,
      })
    }
    cur.entries.push({ key, value, loc })
  }
}

function describeIndent(ws: string): string {
  const tabs = [...ws].filter((c) => c === '\t').length
  const spaces = ws.length - tabs
  return [spaces ? `${spaces} space${spaces > 1 ? 's' : ''}` : '', tabs ? `${tabs} tab${tabs > 1 ? 's' : ''}` : '']
    .filter(Boolean)
    .join(' + ')
}

/**
 * Splits `"a" "b c" "d"` into its quoted parts (as flb_slist_split_tokens: `\"` is a quote inside a
 * part, every other backslash is kept for the regex). Unquoted words are accepted as parts too.
 * Returns undefined for an unterminated quote.
 */
export function splitQuoted(text: string): string[] | undefined {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++
    if (i >= text.length) break
    if (text[i] === '"') {
      let part = ''
      i++
      let closed = false
      while (i < text.length) {
        const c = text[i]!
        if (c === '\\' && text[i + 1] === '"') {
          part += '"'
          i += 2
        } else if (c === '"') {
          closed = true
          i++
          break
        } else {
          part += c
          i++
        }
      }
      if (!closed) return undefined
      out.push(part)
    } else {
      const start = i
      while (i < text.length && !/\s/.test(text[i]!)) i++
      out.push(text.slice(start, i))
    }
  }
  return out
}

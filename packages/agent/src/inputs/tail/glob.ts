// Path patterns as tail uses them: `Path` is expanded like glob(3) (wildcards stay within one path
// segment and do not match a leading dot), `Exclude_Path` is tested like fnmatch(3) without
// FNM_PATHNAME (so `*` also crosses `/`, and `*.gz` excludes `/any/dir/x.gz`).

import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

const WILD = /[*?[]/

/** Translates one shell pattern to a RegExp source. `crossSlash`: whether `*` and `?` match `/`. */
function patternSource(pattern: string, crossSlash: boolean): string {
  const any = crossSlash ? '[\\s\\S]' : '[^/]'
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') out += `${any}*`
    else if (c === '?') out += any
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2)
      if (close < 0) {
        out += '\\['
        continue
      }
      let body = pattern.slice(i + 1, close)
      let neg = false
      if (body[0] === '!' || body[0] === '^') {
        neg = true
        body = body.slice(1)
      }
      out += `[${neg ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`
      i = close
    } else if (c === '\\' && i + 1 < pattern.length) {
      out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return out
}

/** A matcher for Exclude_Path patterns (fnmatch without FNM_PATHNAME), tested on the full path. */
export function compileExclude(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false
  const res = patterns.map((p) => new RegExp(`^${patternSource(p, true)}$`))
  return (path) => {
    const base = path.slice(path.lastIndexOf('/') + 1)
    return res.some((re) => re.test(path) || re.test(base))
  }
}

/**
 * Expands one absolute pattern into the paths that exist now (files, directories and symlinks alike:
 * the caller stats them). Sorted, like glob(3). Unreadable directories are skipped.
 */
export async function expandPattern(pattern: string): Promise<string[]> {
  if (!WILD.test(pattern)) return [pattern]
  const segments = pattern.split('/')
  // Start from the longest prefix without wildcards.
  let first = 0
  while (first < segments.length && !WILD.test(segments[first]!)) first++
  let bases = [segments.slice(0, first).join('/') || '/']
  for (let i = first; i < segments.length; i++) {
    const seg = segments[i]!
    const next: string[] = []
    if (!WILD.test(seg)) {
      for (const b of bases) next.push(join(b, seg))
    } else {
      const re = new RegExp(`^${patternSource(seg, false)}$`)
      const dotOk = seg.startsWith('.')
      for (const b of bases) {
        let names: string[]
        try {
          names = await readdir(b)
        } catch {
          continue
        }
        for (const name of names) {
          if (!dotOk && name.startsWith('.')) continue
          if (re.test(name)) next.push(join(b, name))
        }
      }
    }
    bases = next
    if (bases.length === 0) return []
  }
  return bases.sort()
}

/** The directories worth watching for new files: the literal directory of each pattern's last segment. */
export function patternDirectory(pattern: string): string | undefined {
  const slash = pattern.lastIndexOf('/')
  const dir = slash <= 0 ? '/' : pattern.slice(0, slash)
  return WILD.test(dir) ? undefined : dir
}

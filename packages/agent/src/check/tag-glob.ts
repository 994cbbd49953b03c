// Which tags can an input produce, and can a `Match` pattern ever see one of them? Both are written
// as globs where `*` stands for any run of characters (Fluent Bit's Match syntax, flb_router_match),
// so "reachable" is "the two globs share at least one string".

/** Whether some string matches both `*`-globs `a` and `b`. */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>()
  const m = b.length + 1
  const go = (i: number, j: number): boolean => {
    const key = i * m + j
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    let r: boolean
    if (i === a.length && j === b.length) r = true
    else if (i < a.length && a[i] === '*') r = go(i + 1, j) || (j < b.length && go(i, j + 1))
    else if (j < b.length && b[j] === '*') r = go(i, j + 1) || (i < a.length && go(i + 1, j))
    else r = i < a.length && j < b.length && a[i] === b[j] && go(i + 1, j + 1)
    memo.set(key, r)
    return r
  }
  return go(0, 0)
}

/**
 * The tags an input instance can produce, as `*`-globs. `tail` replaces `*` in its Tag with the
 * file's path, dots for slashes (expandTag in tag-match.ts), so `kube.*` with Path
 * `/var/log/containers/*.log` yields `kube.var.log.containers.*.log`; `<name>` captures of
 * Tag_Regex become `*`. Other inputs use their Tag as written, or their instance name.
 */
export function inputTagGlobs(plugin: string, tag: string | undefined, instanceName: string, path?: string): string[] {
  if (tag === undefined || tag === '') return [instanceName]
  const t = tag.replace(/<[^>]*>/g, '*')
  if (plugin !== 'tail' || !tag.includes('*')) return [t]
  if (path === undefined || path.trim() === '') return [t]
  return path
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) =>
      t.replace(
        /\*/g,
        p
          .replace(/[?]|\[[^\]]*\]/g, '*')
          .replace(/\//g, '.')
          .replace(/^\.+/, ''),
      ),
    )
}

/** Tags a rewrite_tag Rule (`$key regex NEW_TAG keep`) can emit, as a glob (`$TAG`, `$1`… are `*`). */
export function rewriteTagGlob(rule: string): string | undefined {
  const parts = rule.trim().split(/\s+/)
  if (parts.length < 3) return undefined
  return parts[2]!.replace(/\$\{[^}]*\}|\$[A-Za-z0-9_]+(\[[^\]]*\])*/g, '*')
}

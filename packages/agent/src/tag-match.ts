// Tag routing as Fluent Bit does it (flb_router_match): `Match` is a pattern where `*` matches any
// run of characters (including dots) and everything else matches itself, case-sensitively;
// `Match_Regex` is a regular expression searched in the tag (unanchored, as Fluent Bit's flb_regex_match).

export type TagMatcher = (tag: string) => boolean

export function compileMatch(match: string | undefined, matchRegex: string | undefined): TagMatcher {
  if (matchRegex !== undefined) {
    const re = new RegExp(matchRegex)
    return (tag) => re.test(tag)
  }
  if (match === undefined) return () => false
  if (match === '*') return () => true
  if (!match.includes('*')) return (tag) => tag === match
  const parts = match.split('*')
  return (tag) => globMatch(parts, tag)
}

function globMatch(parts: readonly string[], tag: string): boolean {
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  if (!tag.startsWith(first)) return false
  if (tag.length < first.length + last.length || !tag.endsWith(last)) return false
  let pos = first.length
  const end = tag.length - last.length
  for (let i = 1; i < parts.length - 1; i++) {
    const p = parts[i]!
    const at = tag.indexOf(p, pos)
    if (at < 0 || at + p.length > end) return false
    pos = at + p.length
  }
  return true
}

/**
 * Expands `*` in an input's Tag with a file path as tail does: the path with `/` turned into `.`
 * and the leading separator dropped (`kube.*` + `/var/log/containers/a.log` →
 * `kube.var.log.containers.a.log`).
 */
export function expandTag(tag: string, path: string): string {
  if (!tag.includes('*')) return tag
  const dotted = path.replace(/\//g, '.').replace(/^\.+/, '')
  return tag.replace(/\*/g, dotted)
}

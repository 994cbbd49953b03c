// The tag of a file's records, as in_tail composes it (fluent-bit/plugins/in_tail/tail_file.c,
// tag_compose): with Tag_Regex, every `<name>` in the Tag becomes that named group of the regex
// matched against the file path (`_` when the group did not take part); otherwise a `*` in the Tag
// becomes the path with `/` turned into `.` (`kube.*` → `kube.var.log.containers.x.log`).

import { expandTag } from '../../tag-match.ts'

export type TagComposer = (path: string) => string | { error: string }

export function compileTag(tag: string, tagRegex: string | undefined): TagComposer {
  if (tagRegex === undefined) {
    if (!tag.includes('*')) return () => tag
    return (path) => expandTag(tag, path)
  }
  let re: RegExp
  try {
    re = new RegExp(tagRegex)
  } catch (err) {
    throw new Error(`cannot compile tag_regex '${tagRegex}': ${(err as Error).message}`)
  }
  // Split the Tag once into literal parts and `<name>` references.
  const parts: ({ lit: string } | { ref: string })[] = []
  let rest = tag
  for (;;) {
    const open = rest.indexOf('<')
    if (open < 0) break
    const close = rest.indexOf('>', open + 1)
    if (close < 0 || rest.slice(open + 1, close).includes('<')) {
      throw new Error(
        `cannot use tag '${tag}' with tag_regex: missing closing angle bracket at position ${tag.length - rest.length + open}`,
      )
    }
    if (open > 0) parts.push({ lit: rest.slice(0, open) })
    parts.push({ ref: rest.slice(open + 1, close) })
    rest = rest.slice(close + 1)
  }
  if (rest) parts.push({ lit: rest })
  return (path) => {
    const m = re.exec(path)
    if (!m) return { error: `tag_regex '${tagRegex}' does not match file ${path}` }
    const groups = m.groups ?? {}
    let out = ''
    for (const p of parts) out += 'lit' in p ? p.lit : (groups[p.ref] ?? '_')
    return out
  }
}

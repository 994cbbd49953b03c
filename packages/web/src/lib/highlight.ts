// Splits text into plain and highlighted segments for search terms, case-insensitively. Pure, so the
// table renders `<mark>` elements without injecting HTML.

export interface Segment {
  text: string
  hit: boolean
}

const cache = new Map<string, RegExp | null>()

function termsRegex(terms: string[]): RegExp | null {
  const key = terms.join('\u0000')
  let re = cache.get(key)
  if (re === undefined) {
    const parts = terms.filter((t) => t.length > 0).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    re = parts.length > 0 ? new RegExp(parts.join('|'), 'giu') : null
    if (cache.size > 50) cache.clear()
    cache.set(key, re)
  }
  return re
}

export function highlight(text: string, terms: string[]): Segment[] {
  const re = termsRegex(terms)
  if (!re || text === '') return [{ text, hit: false }]
  const out: Segment[] = []
  let last = 0
  re.lastIndex = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++
      continue
    }
    if (m.index > last) out.push({ text: text.slice(last, m.index), hit: false })
    out.push({ text: m[0], hit: true })
    last = m.index + m[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false })
  return out.length > 0 ? out : [{ text, hit: false }]
}

// fast path: the CRI log line (Kubernetes CRI "Container Runtime Interface logging format":
// `<RFC 3339 time> <stdout|stderr> <P|F> <message>`) is split by hand instead of running the stock
// `cri` regex, with results identical to the regex (tested on many generated lines). Recognised
// patterns are the stock one and the usual variants: any group names, a logtag of `[^ ]*`, `[^ ]+`
// or `P|F`, a message of `.*` or `.+`.

import { splitRubyRegex } from './onigmo.ts'

const CRI_SHAPE =
  /^\^\(\?<\w+>\[\^ \]\+\) \(\?<\w+>(?:stdout\|stderr|stderr\|stdout)\) \(\?<\w+>(\[\^ \]\*|\[\^ \]\+|P\|F|F\|P)\) \(\?<\w+>\.([*+])\)\$?$/

/**
 * Returns a splitter for a CRI-shaped pattern (undefined for any other pattern). The splitter fills
 * `values` (time, stream, logtag, message) and returns true, returns false when the regex would not
 * match, or undefined when it cannot decide alone (multi-line text) and the regex must run.
 */
export function criSplitter(
  source: string,
  names: readonly string[],
): ((text: string, values: (string | undefined)[]) => boolean | undefined) | undefined {
  const { pattern, options } = splitRubyRegex(source.trim())
  if (options !== '' || names.length !== 4) return undefined
  const m = CRI_SHAPE.exec(pattern)
  if (!m) return undefined
  const tagRule = m[1]!
  const tagPF = tagRule === 'P|F' || tagRule === 'F|P'
  const tagNonEmpty = tagRule === '[^ ]+'
  const msgNonEmpty = m[2] === '+'
  return (text, values) => {
    // Ruby's `^`/`$` are line anchors: a line break means another line may match; let the regex decide.
    if (text.indexOf('\n') >= 0) return undefined
    const sp1 = text.indexOf(' ')
    if (sp1 <= 0) return false
    const s = sp1 + 1
    if (!(text.startsWith('stdout ', s) || text.startsWith('stderr ', s))) return false
    const tagStart = s + 7
    const sp3 = text.indexOf(' ', tagStart)
    if (sp3 < 0) return false
    if (tagPF) {
      if (sp3 !== tagStart + 1) return false
      const t = text.charCodeAt(tagStart)
      if (t !== 80 && t !== 70) return false
    } else if (tagNonEmpty && sp3 === tagStart) return false
    if (msgNonEmpty && sp3 + 1 >= text.length) return false
    values[0] = text.slice(0, sp1)
    // The stream as a constant: a 6-character slice would be a fresh copy per line.
    values[1] = text.charCodeAt(s + 3) === 111 /* o */ ? 'stdout' : 'stderr'
    values[2] = text.slice(tagStart, sp3)
    values[3] = text.slice(sp3 + 1)
    return true
  }
}

/**
 * True when `text` has the shape of a CRI log line (`<RFC 3339 time> stdout|stderr P|F …`). For a
 * warning when a json/docker parser meets containerd/CRI-O files (seed 004's "Parser docker on a
 * containerd node" problem), where Fluent Bit silently keeps the raw line.
 */
export function looksLikeCriLine(text: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [PF] /.test(text)
}

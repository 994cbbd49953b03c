// Fluent Bit writes its regular expressions for Onigmo (Ruby syntax), often between slashes
// (`"/^\s+at /"`). JavaScript's RegExp understands most of that; this translates the rest and
// reports what it cannot, so a config check names the bad rule instead of failing at run time.

/** Strips `/…/` delimiters (with an optional trailing `i`/`m`/`x` flag set) as Fluent Bit's rules allow. */
function unwrap(text: string): { source: string; flags: string } {
  const t = text.trim()
  const m = /^\/(.*)\/([imx]*)$/s.exec(t)
  if (!m) return { source: t, flags: '' }
  return { source: m[1]!, flags: m[2]! }
}

/**
 * Compiles an Onigmo-style pattern into a RegExp. Translates `\A`, `\z`, `\Z`, `\h`, and the
 * empty extended group `(?x:)`; Onigmo's `m` flag (dot matches newline) becomes JavaScript's `s`.
 * Throws `cannot compile regex '<text>': <reason>` when JavaScript rejects it.
 */
export function compileOnigmo(text: string): RegExp {
  const { source, flags } = unwrap(text)
  let s = source
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/\\h/g, '[0-9a-fA-F]')
    .replace(/\(\?x:\)/g, '')
  let jsFlags = ''
  if (flags.includes('i')) jsFlags += 'i'
  if (flags.includes('m')) jsFlags += 's'
  // Leading inline options such as (?i) are not JavaScript; apply them as flags.
  const inline = /^\(\?([imx]+)\)/.exec(s)
  if (inline) {
    s = s.slice(inline[0].length)
    if (inline[1]!.includes('i') && !jsFlags.includes('i')) jsFlags += 'i'
    if (inline[1]!.includes('m') && !jsFlags.includes('s')) jsFlags += 's'
  }
  try {
    return new RegExp(s, jsFlags)
  } catch (err) {
    throw new Error(`cannot compile regex '${text}': ${(err as Error).message}`)
  }
}

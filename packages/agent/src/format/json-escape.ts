// Fluent Bit writes non-ASCII characters in its JSON output as `\uXXXX` escapes (lowercase hex,
// surrogate pairs beyond the BMP): the default of its `json.escape_unicode` service setting. Applied
// to finished JSON text, which is safe because non-ASCII characters only occur inside strings there.

const NON_ASCII = /[^\x00-\x7f]/
const NON_ASCII_ALL = /[^\x00-\x7f]/g

const esc = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')

export function escapeNonAscii(json: string): string {
  // fast path: most log text is ASCII; one scan decides.
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, esc) : json
}

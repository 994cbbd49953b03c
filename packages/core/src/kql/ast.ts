// The syntax tree of a Kibana Query Language (KQL) query, as `parseKql` produces it. It is the
// contract between the parser (packages/core/src/kql/parse.ts) and its compilers: `kqlToEs`
// (Elasticsearch Query DSL, packages/core/src/kql/to-es.ts) and the server's SQL compiler.
//
// The shapes follow Kibana's own KQL functions (`is`, `range`, `exists`, `nested`, `and`, `or`,
// `not`; @kbn/es-query `kuery/functions`), with values already unescaped and wildcards made explicit
// so that no compiler has to re-parse text:
//   status:500                  → match  {field: status, value: term '500'}
//   message:"disk full"         → match  {field: message, value: phrase 'disk full'}
//   pod:web-*                   → match  {field: pod, value: wildcard ['web-', '']}
//   kubernetes.labels.app:*     → exists {field: kubernetes.labels.app}
//   status >= 500               → range  {field: status, op: gte, value: '500'}
//   error                       → match  {field: null (the default fields), value: term 'error'}
//   level:(error or warn)       → or [match level error, match level warn]   (expanded by the parser)
//   items:{ name:a and qty>1 }  → nested {path: items, child: and [...]} (child field names are
//                                  relative to the path, as in Kibana; compilers prefix them)

/** A field name as written, dots kept (`kubernetes.labels.app`). */
export interface KqlField {
  /** The name with escapes removed; when `wildcard` is true, `*` marks the wildcard positions. */
  readonly name: string
  /** True when the name contains an unescaped `*` (`kubernetes.labels.*`): matches several fields. */
  readonly wildcard: boolean
}

/** The right-hand side of `field:value` (or a free-text term). */
export type KqlValue =
  /**
   * An unquoted value without wildcard: `500`, `error`, `web-1`. Compilers decide number vs text.
   * It may contain spaces: as in Kibana, `message:disk full` is ONE value, `disk full` (matched as
   * words, like Elasticsearch's `match`), while `message:"disk full"` is a phrase.
   */
  | { readonly kind: 'term'; readonly text: string }
  /** A quoted phrase: `"disk full"` (exact phrase; `*` in it is literal). */
  | { readonly kind: 'phrase'; readonly text: string }
  /**
   * An unquoted word with at least one unescaped `*`: the literal parts between the wildcards, in
   * order. `web-*` → ['web-', ''], `*err*` → ['', 'err', ''], `a*b*c` → ['a', 'b', 'c'].
   * Always at least two parts; escaped `\*` stays a literal `*` inside a part.
   */
  | { readonly kind: 'wildcard'; readonly parts: readonly string[] }

export type KqlRangeOp = 'lt' | 'lte' | 'gt' | 'gte'

export type KqlNode =
  /** The empty query: every record. */
  | { readonly type: 'all' }
  /** `a and b and c` (two or more children). */
  | { readonly type: 'and'; readonly children: readonly KqlNode[] }
  /** `a or b or c` (two or more children). */
  | { readonly type: 'or'; readonly children: readonly KqlNode[] }
  | { readonly type: 'not'; readonly child: KqlNode }
  /**
   * `field:value`; `field` null means free text (no field given): search the default fields
   * (`message`, `log`, … as the compiler defines them; Kibana searches every field).
   */
  | { readonly type: 'match'; readonly field: KqlField | null; readonly value: KqlValue }
  /** `field < value`, `<=`, `>`, `>=`. `value` unescaped, quoted or not (numbers and dates). */
  | { readonly type: 'range'; readonly field: KqlField; readonly op: KqlRangeOp; readonly value: string }
  /** `field:*`: the field exists (has a value). */
  | { readonly type: 'exists'; readonly field: KqlField }
  /** `path:{ query }`: the child matches one element of the nested objects under `path`. */
  | { readonly type: 'nested'; readonly path: string; readonly child: KqlNode }

/** A parse failure: what is wrong and where (0-based offset into the query text). */
export interface KqlError {
  readonly message: string
  readonly position: number
}

export type KqlParseResult = { readonly ast: KqlNode } | { readonly error: KqlError }

// A function returning one object literal of a fixed key shape, generated once per shape: V8 builds
// such an object in one allocation with its final hidden class, where setting keys one by one costs a
// keyed store and a map transition each (the record hot paths: the CRI split, the parser filter's
// Reserve_Data merge). Keys are written as JSON string literals, valid JavaScript for any key.

/**
 * `(params…) => ({key: expr, …})`, or undefined when a key is `__proto__` (a literal would set the
 * prototype with it) or code generation is disabled (node --disallow-code-generation-from-strings):
 * callers then build the object the general way.
 */
export function objectLiteralFunction<F>(
  params: readonly string[],
  fields: ReadonlyArray<readonly [key: string, expression: string]>,
): F | undefined {
  if (fields.some(([key]) => key === '__proto__')) return undefined
  const body = fields.map(([key, expression]) => `${JSON.stringify(key)}: ${expression}`).join(', ')
  try {
    return new Function(...params, `return {${body}}`) as F
  } catch {
    return undefined
  }
}

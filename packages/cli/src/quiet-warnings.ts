// node:sqlite (tail offsets) is stable enough for us but flagged experimental before Node 25; its
// start-up warning would only confuse users reading the agent's log. Imported for its effect.

const emitWarning = process.emitWarning.bind(process)
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message
  if (/SQLite is an experimental feature/.test(text)) return
  return (emitWarning as (...a: unknown[]) => void)(warning, ...rest)
}) as typeof process.emitWarning

// The bundled agent (scripts/build-agent.ts) when it was built from the sources as they are now, else
// undefined: bin/sluice.js then runs the TypeScript sources. Plain JavaScript, like bin/sluice.js.
// Comparing size and mtime of each bundled source (~150 stat calls, about a millisecond) is what
// keeps an edited checkout from running the code it had before the edit.

import { readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Absolute path of the bundle's entry in `distDir`, or undefined when it is missing or stale. */
export function freshAgentBundle(distDir) {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(join(distDir, 'agent-inputs.json'), 'utf8'))
  } catch {
    return undefined
  }
  if (typeof manifest?.entry !== 'string' || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0)
    return undefined
  for (const input of manifest.inputs) {
    try {
      const st = statSync(resolve(distDir, input.path))
      if (st.size !== input.size || st.mtimeMs !== input.mtimeMs) return undefined
    } catch {
      return undefined
    }
  }
  return join(distDir, manifest.entry)
}

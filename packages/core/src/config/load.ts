// Loads a configuration file in any supported form (Fluent Bit classic, Fluent Bit YAML, or a
// Kubernetes ConfigMap manifest wrapping either). (Stub with the final signature; the config owner
// replaces the body.)
import type { LoadedConfig } from './model.ts'

export interface LoadOptions {
  /** For a ConfigMap: which data key is the entry file (default fluent-bit.conf / fluent-bit.yaml). */
  readonly entry?: string
  /** Environment for `${VAR}` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

export async function loadConfig(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  void opts
  throw new Error(`cannot load config ${path}: the config loader is not built yet`)
}

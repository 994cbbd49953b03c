// Whether a config text is a Kubernetes ConfigMap manifest. Its own module so that loading a plain
// classic config does not load the YAML library (~14 MB of RSS in the agent).

/** True when the text is a Kubernetes manifest with a ConfigMap in it. */
export function looksLikeConfigMap(text: string): boolean {
  return /^\s*kind:\s*["']?ConfigMap["']?\s*$/m.test(text) && /^\s*apiVersion:/m.test(text)
}

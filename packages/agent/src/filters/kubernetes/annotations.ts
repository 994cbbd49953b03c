// Pod annotations that steer the pipeline (Fluent Bit docs, "Kubernetes pod annotations"):
//   fluentbit.io/parser[_stdout|_stderr][-<container>]: <parser>   (with K8S-Logging.Parser On)
//   fluentbit.io/exclude[_stdout|_stderr][-<container>]: "true"    (with K8S-Logging.Exclude On)
// The most specific annotation wins: stream and container, then container, then stream, then plain.

type Annotations = Readonly<Record<string, string>> | undefined

function lookup(
  a: Annotations,
  base: string,
  stream: string | undefined,
  container: string | undefined,
): string | undefined {
  if (!a) return undefined
  const keys: string[] = []
  if (stream && container) keys.push(`${base}_${stream}-${container}`)
  if (container) keys.push(`${base}-${container}`)
  if (stream) keys.push(`${base}_${stream}`)
  keys.push(base)
  for (const k of keys) if (a[k] !== undefined) return a[k]
  return undefined
}

export function suggestedParser(
  a: Annotations,
  stream: string | undefined,
  container: string | undefined,
): string | undefined {
  return lookup(a, 'fluentbit.io/parser', stream, container)
}

export function excluded(a: Annotations, stream: string | undefined, container: string | undefined): boolean {
  const v = lookup(a, 'fluentbit.io/exclude', stream, container)
  return v !== undefined && /^(true|on|yes|1)$/i.test(v.trim())
}

// The agent configuration `sluice up` runs: the seeds' pipeline (tail → cri → multiline →
// kubernetes metadata → grep out health probes → modify adding cluster/env → es), written as a
// Fluent Bit classic config so users can copy it, plus the node metric inputs.

export interface DemoConfigOptions {
  readonly containersDir: string
  readonly agentDir: string
  readonly esPort: number
  readonly monitorPort: number
  /** Kubernetes API URL for real metadata (`--kube`); otherwise metadata comes from file names. */
  readonly kubeUrl?: string
  readonly plugins: ReadonlySet<string>
}

export function demoAgentConfig(o: DemoConfigOptions): string {
  const has = (n: string) => o.plugins.has(n)
  const s: string[] = []
  s.push(`# Written by \`sluice up\`: the pipeline of the seeds, on the demo node's logs.
[SERVICE]
    Flush             1
    Grace             5
    Log_Level         info
    HTTP_Server       On
    HTTP_Listen       127.0.0.1
    HTTP_Port         ${o.monitorPort}
    Health_Check      On
    # Dead-lettered records (refused by the server) are kept here for \`sluice dlq\`.
    storage.path      ${o.agentDir}/storage

[INPUT]
    Name              tail
    Tag               kube.*
    Path              ${o.containersDir}/*.log
    multiline.parser  cri
    DB                ${o.agentDir}/tail.db
    Mem_Buf_Limit     50MB
    Read_From_Head    On
    Refresh_Interval  1
    Rotate_Wait       30
`)
  for (const [name, tag] of [
    ['cpu', 'node.cpu'],
    ['mem', 'node.mem'],
    ['disk', 'node.disk'],
    ['netif', 'node.netif'],
  ] as const) {
    if (!has(name)) continue
    s.push(`[INPUT]
    Name              ${name}
    Tag               ${tag}
    Interval_Sec      10${name === 'netif' ? '\n    Interface         lo' : ''}
`)
  }
  if (has('multiline')) {
    s.push(`# Java, Python and Go stack traces become one record each.
[FILTER]
    Name                  multiline
    Match                 kube.*
    multiline.key_content log
    multiline.parser      java, python, go
`)
  }
  if (has('kubernetes')) {
    s.push(
      o.kubeUrl
        ? `[FILTER]
    Name              kubernetes
    Match             kube.*
    Kube_URL          ${o.kubeUrl}
    Kube_Tag_Prefix   kube.${o.containersDir.replace(/^\//, '').replace(/\//g, '.')}.
    Merge_Log         On
    Keep_Log          Off
    Labels            On
    Annotations       Off
`
        : `# No cluster here: pod, namespace, container and container id come from the file names.
[FILTER]
    Name              kubernetes
    Match             kube.*
    Kube_Tag_Prefix   kube.${o.containersDir.replace(/^\//, '').replace(/\//g, '.')}.
    Dummy_Meta        Off
    Use_Tag_For_Meta  On
    Merge_Log         On
    Keep_Log          Off
`,
    )
  }
  if (has('grep')) {
    s.push(`# Drop kubelet health probes (seed 004).
[FILTER]
    Name              grep
    Match             kube.*
    Exclude           log kube-probe
`)
  }
  if (has('modify')) {
    s.push(`[FILTER]
    Name              modify
    Match             kube.*
    Add               cluster demo
    Add               env local
`)
  }
  s.push(`[OUTPUT]
    Name              es
    Match             kube.*
    Host              127.0.0.1
    Port              ${o.esPort}
    Logstash_Format   On
    Logstash_Prefix   logs
    Suppress_Type_Name On
    Generate_ID       On
    Retry_Limit       no_limits
`)
  if (['cpu', 'mem', 'disk', 'netif'].some(has)) {
    s.push(`[OUTPUT]
    Name              es
    Match             node.*
    Host              127.0.0.1
    Port              ${o.esPort}
    Logstash_Format   On
    Logstash_Prefix   node-metrics
    Include_Tag_Key   On
    Suppress_Type_Name On
    Retry_Limit       no_limits
`)
  }
  return s.join('\n')
}

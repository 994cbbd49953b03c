// `sluice dlq`: inspect and replay records the `es`/`opensearch` outputs dead-lettered (JSON lines in
// `dlq.path`, by default `<storage.path>/rejected/<instance>`).

import { parseArgs } from 'node:util'

export const summary = 'Inspect and replay dead-lettered records'

const usage = `Usage: sluice dlq <ls|show|replay> [DIR] [options]

DIR is an output's dead-letter directory (its dlq.path, or <storage.path>/rejected/<instance>);
with --config it is found in the agent's config, and replay uses that output's endpoint, TLS and
credentials (HTTP_User/HTTP_Passwd, HTTP_API_Key, Cloud_Auth, AWS_Auth with the AWS credential chain).

  ls [DIR]               files, record counts and the reasons records were refused
  show [DIR]             the records, with reason, tag and index
      --limit N          at most N records (default 20)
      --reason TEXT      only records whose reason contains TEXT
      --json             one JSON entry per line, untruncated
  replay [DIR]           send the records again (after fixing the mapping or the credentials);
                         accepted records leave the files, refused ones stay with the new reason
      --url URL          the cluster, when not taken from --config
      --user NAME        basic auth user; the password is read from $SLUICE_ES_PASSWORD
      --api-key-env VAR  read an API key (base64 id:key) from environment variable VAR
      --index NAME       send to this index instead of the recorded one
      --insecure         do not verify the server certificate
      --dry-run          count what would be sent, send nothing
  --config FILE          the agent config (classic, YAML or ConfigMap) whose es/opensearch output to use
  --output ID            which output when there are several (es.0, opensearch.1, or its Alias)
  -h, --help             this help
`

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice dlq: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.values.help) {
    console.log(usage)
    return 0
  }
  const [sub, dirArg] = v.positionals
  if (!sub || !['ls', 'show', 'replay'].includes(sub)) {
    console.error(`sluice dlq: expected ls, show or replay${sub ? `, not '${sub}'` : ''}\n\n${usage}`)
    return 2
  }
  let ref: import('@sluice/agent/dlq/from-config.ts').EsOutputRef | undefined
  if (v.values.config) {
    try {
      const { esOutputsOf, pickOutput } = await import('@sluice/agent/dlq/from-config.ts')
      ref = pickOutput(await esOutputsOf(v.values.config), v.values.output, v.values.config)
    } catch (e) {
      console.error(`sluice dlq ${sub}: ${(e as Error).message}`)
      return 2
    }
  }
  const dir = dirArg ?? ref?.dlqDir
  if (!dir) {
    console.error(
      `sluice dlq ${sub}: missing DIR (the output's dlq.path, or <storage.path>/rejected/<instance>)${ref ? `; output ${ref.id} has neither dlq.path nor storage.path` : ', or --config FILE'}`,
    )
    return 2
  }
  try {
    if (sub === 'ls') {
      const { listing } = await import('@sluice/agent/dlq/summary.ts')
      console.log(await listing(dir))
      return 0
    }
    if (sub === 'show') {
      const { entriesOf, showEntry } = await import('@sluice/agent/dlq/summary.ts')
      const limit = v.values.limit === undefined ? 20 : Number(v.values.limit)
      if (!Number.isInteger(limit) || limit < 0) {
        console.error(`sluice dlq show: --limit must be a whole number, not '${v.values.limit}'`)
        return 2
      }
      let n = 0
      for await (const e of entriesOf(dir)) {
        if (v.values.reason && !e.reason.includes(v.values.reason)) continue
        if (n++ >= limit) break
        console.log(v.values.json ? JSON.stringify(e) : showEntry(e))
      }
      if (n === 0) console.error(`${dir}: no matching dead-lettered records`)
      return 0
    }
    return await replay(dir, v.values, ref)
  } catch (e) {
    console.error(`sluice dlq ${sub}: ${(e as Error).message}`)
    return 1
  }
}

async function replay(
  dir: string,
  o: ReturnType<typeof parse>['values'],
  ref: import('@sluice/agent/dlq/from-config.ts').EsOutputRef | undefined,
): Promise<number> {
  const { replayDir } = await import('@sluice/agent/dlq/replay.ts')
  let target: { sender: import('@sluice/agent/outputs/es/sender.ts').Sender; bulkPath: string; where: string }
  if (o.url) {
    let url: URL
    try {
      url = new URL(o.url)
    } catch {
      console.error(`sluice dlq replay: --url '${o.url}' is not a URL`)
      return 2
    }
    const { createSender } = await import('@sluice/agent/outputs/es/sender.ts')
    const { staticAuth } = await import('@sluice/agent/outputs/es/auth.ts')
    let apiKey: string | undefined
    if (o['api-key-env']) {
      apiKey = process.env[o['api-key-env']]
      if (!apiKey) {
        console.error(`sluice dlq replay: environment variable ${o['api-key-env']} is empty`)
        return 2
      }
    }
    const auth = staticAuth({ http_user: o.user, http_passwd: process.env.SLUICE_ES_PASSWORD, http_api_key: apiKey })
    const tls = url.protocol === 'https:'
    const prefix = url.pathname.replace(/\/+$/, '')
    target = {
      sender: createSender({
        host: url.hostname,
        port: url.port ? Number(url.port) : tls ? 443 : 9200,
        tls,
        tlsVerify: !o.insecure,
        authHeader: auth.header,
        gzip: false,
        connectTimeoutMs: 10_000,
        timeoutMs: 60_000,
        keepAlive: true,
        userAgent: 'Sluice',
      }),
      bulkPath: `${prefix}/_bulk`,
      where: `${url.origin}${prefix}`,
    }
  } else if (ref) {
    const { connect } = await import('@sluice/agent/outputs/es/connection.ts')
    const values = o.insecure ? { ...ref.values, 'tls.verify': false } : ref.values
    const c = connect(values, ref.resolvePath)
    target = {
      sender: c.sender,
      bulkPath: c.bulkPath,
      where: `output ${ref.id} (${values.cloud_id ? 'Cloud_ID' : `${values.host}:${values.port}`})`,
    }
  } else {
    console.error('sluice dlq replay: give --url (e.g. --url https://es.example:9200) or --config FILE')
    return 2
  }
  try {
    const r = await replayDir(dir, {
      sender: target.sender,
      bulkPath: target.bulkPath,
      index: o.index,
      dryRun: o['dry-run'],
    })
    if (o['dry-run']) {
      console.log(`${r.entries} records in ${r.files} files would be sent to ${target.where}`)
      return 0
    }
    console.log(
      `${r.entries} records in ${r.files} files: ${r.delivered} delivered, ${r.refused} still refused, ${r.pending} not settled (retry later)`,
    )
    for (const e of r.errors) console.error(`  ${e}`)
    return r.refused || r.pending ? 1 : 0
  } finally {
    await target.sender.close()
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      user: { type: 'string' },
      'api-key-env': { type: 'string' },
      index: { type: 'string' },
      insecure: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      output: { type: 'string' },
    },
  })
}

// From resolved `es`/`opensearch` options to a ready bulk sender: endpoint (Host/Port, Cloud_ID, Path,
// Pipeline), TLS, authentication (basic, ApiKey, AWS SigV4 with the SDK credential chain). Shared by the
// output and `sluice dlq replay --config`, so a replay reaches the cluster exactly as the agent does.

import { join } from 'node:path'
import type { OptionValues } from '@sluice/core/options.ts'
import { credentialProvider, describeAwsCredentials } from '../../aws/credentials.ts'
import { createSigner } from '../../aws/sigv4.ts'
import type { OptionProblem } from '../../plugin.ts'
import { parseCloudId, staticAuth } from './auth.ts'
import type { esOptions } from './options.ts'
import { createSender, type Sender } from './sender.ts'

export type EsOptionValues = OptionValues<typeof esOptions>

export interface EsConnection {
  readonly sender: Sender
  /** `<Path>/_bulk` with `?pipeline=`. */
  readonly bulkPath: string
  /** `<Path>` without a trailing slash ('' when none). */
  readonly prefix: string
  /** Names the credentials in use, never the secret. */
  describeCredentials(): string
}

export function normalizePrefix(path: string | undefined): string {
  if (!path) return ''
  const p = path.trim().replace(/\/+$/, '')
  return p === '' ? '' : p.startsWith('/') ? p : `/${p}`
}

/** Checks the option combinations a table cannot express; throws a precise Error. */
/** Checks between options (sluice check reports them; start-up refuses the first). */
export function esOptionProblems(o: EsOptionValues): OptionProblem[] {
  const problems: OptionProblem[] = []
  if ((o.write_operation === 'update' || o.write_operation === 'upsert') && !o.id_key && !o.generate_id)
    problems.push({
      option: 'write_operation',
      message: `write_operation ${o.write_operation} needs Id_Key or Generate_ID`,
    })
  if (o.aws_auth && !o.aws_region) problems.push({ option: 'aws_auth', message: 'aws_auth On needs aws_region' })
  if (/^[a-z]+:\/\//i.test(o.host))
    problems.push({
      option: 'host',
      message: `invalid host '${o.host}': a host name or address without scheme (set tls On for HTTPS, Path for a sub-path)`,
    })
  return problems
}

export function checkEsOptions(o: EsOptionValues): void {
  const first = esOptionProblems(o)[0]
  if (first) throw new Error(first.message)
}

export function connect(o: EsOptionValues, resolvePath: (p: string) => string): EsConnection {
  let host = o.host
  let port = o.port
  let tls = o.tls
  if (o.cloud_id) {
    const c = parseCloudId(o.cloud_id)
    host = c.host
    port = c.port
    tls = true // Elastic Cloud serves HTTPS only
  }
  const auth = staticAuth(o)
  const credOpts = {
    region: o.aws_region,
    profile: o.aws_profile,
    roleArn: o.aws_role_arn,
    externalId: o.aws_external_id,
    stsEndpoint: o.aws_sts_endpoint,
  }
  const provider = o.aws_auth ? credentialProvider(credOpts) : undefined
  let lastKeyId: string | undefined
  const signer = provider
    ? createSigner({
        region: o.aws_region!,
        service: o.aws_service_name,
        credentials: async () => {
          const c = await provider()
          lastKeyId = c.accessKeyId
          return c
        },
      })
    : undefined
  const sender = createSender({
    host,
    port,
    tls,
    tlsVerify: o['tls.verify'],
    caFile: o['tls.ca_file'] ? resolvePath(o['tls.ca_file']) : undefined,
    crtFile: o['tls.crt_file'] ? resolvePath(o['tls.crt_file']) : undefined,
    keyFile: o['tls.key_file'] ? resolvePath(o['tls.key_file']) : undefined,
    keyPasswd: o['tls.key_passwd'],
    vhost: o['tls.vhost'],
    authHeader: o.aws_auth ? undefined : auth.header,
    signer,
    gzip: o.compress === 'gzip',
    connectTimeoutMs: 10_000,
    timeoutMs: 60_000,
    keepAlive: true,
    userAgent: o.aws_auth ? 'aws-fluent-bit-plugin' : 'Sluice',
  })
  const prefix = normalizePrefix(o.path)
  return {
    sender,
    prefix,
    bulkPath: `${prefix}/_bulk${o.pipeline ? `?pipeline=${encodeURIComponent(o.pipeline)}` : ''}`,
    describeCredentials: () => (o.aws_auth ? describeAwsCredentials(credOpts, lastKeyId) : auth.describe),
  }
}

/** The dead-letter directory of an instance: dlq.path, else `<storage.path>/rejected/<id>`. */
export function deadLetterDir(
  o: Pick<EsOptionValues, 'dlq.path'>,
  storagePath: string | undefined,
  id: string,
  resolvePath: (p: string) => string,
): string | undefined {
  if (o['dlq.path']) return resolvePath(o['dlq.path'])
  return storagePath ? join(storagePath, 'rejected', id) : undefined
}

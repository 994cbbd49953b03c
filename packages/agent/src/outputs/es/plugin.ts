// The `es` and `opensearch` outputs: one implementation (the official Elasticsearch client refuses
// non-Elastic servers, so one undici bulk sender serves both), two names, Fluent Bit's options.

import { join } from 'node:path'
import { parseSize } from '@sluice/core/options.ts'
import { credentialProvider, describeAwsCredentials } from '../../aws/credentials.ts'
import { createSigner } from '../../aws/sigv4.ts'
import type { DeadLetterEntry } from '../../dlq/entry.ts'
import { createDeadLetterWriter, type DeadLetterWriter } from '../../dlq/writer.ts'
import { defineOutput, type OutputContext } from '../../plugin.ts'
import { parseCloudId, staticAuth } from './auth.ts'
import { type DeadLetter, type DeliverContext, deliver } from './deliver.ts'
import { buildDoc, bulkBody, type FormatConfig, formatConfig, formatItems, jsonReplacer } from './format.ts'
import { indexPatterns, installTemplate } from './index-template.ts'
import { esOptions } from './options.ts'
import { createSender, type Sender } from './sender.ts'

interface EsState {
  readonly cfg: FormatConfig
  readonly sender: Sender
  readonly dctx: DeliverContext
  readonly traceOutput: boolean
  template?: { name: string; patterns: string[]; fields: string[]; prefix: string }
}

function resolveBufferSize(v: string): number {
  const t = v.trim().toLowerCase()
  if (t === 'false' || t === 'off') return Number.POSITIVE_INFINITY
  const n = parseSize(v)
  if (n === undefined) throw new Error(`invalid buffer_size '${v}': a size (512k, 5MB) or False`)
  return n
}

function normalizePrefix(path: string | undefined): string {
  if (!path) return ''
  const p = path.trim().replace(/\/+$/, '')
  return p === '' ? '' : p.startsWith('/') ? p : `/${p}`
}

function deadLetterSink(writer: DeadLetterWriter | undefined, ctx: OutputContext, cfg: FormatConfig) {
  return async (tag: string, letters: readonly DeadLetter[]) => {
    const at = new Date().toISOString()
    const entries: DeadLetterEntry[] = letters.map((l) => ({
      v: 1,
      at,
      output: ctx.id,
      tag,
      reason: l.reason,
      status: l.status,
      error_type: l.errorType,
      index: l.item.index,
      action: l.item.action,
      id: l.item.id,
      record: { sec: l.item.event.sec, nsec: l.item.event.nsec, body: l.item.event.body },
      doc: buildDoc(cfg, l.item.event, tag),
    }))
    // One log line per distinct reason, with the count: every refusal is on record.
    const byReason = new Map<string, number>()
    for (const l of letters) byReason.set(l.reason, (byReason.get(l.reason) ?? 0) + 1)
    if (writer) {
      try {
        const r = await writer.write(entries)
        for (const [reason, n] of byReason)
          ctx.log.warn(`dead-lettered ${n} record(s) of tag ${tag} to ${writer.dir}: ${reason}`)
        if (r.dropped) ctx.log.error(`${r.dropped} dead-lettered record(s) not kept: dead-letter queue full`)
        return
      } catch (err) {
        ctx.log.error(
          `cannot write dead-letter queue ${writer.dir}: ${(err as Error).message}; logging the records instead`,
        )
      }
    }
    for (const e of entries) {
      ctx.log.error(
        `rejected record (no dead-letter queue; set dlq.path or storage.path): ${JSON.stringify(e, jsonReplacer).slice(0, 4096)}`,
      )
    }
  }
}

export function makeEsOutput(name: 'es' | 'opensearch', description: string) {
  return defineOutput({
    name,
    description,
    options: esOptions,
    async init(o, ctx): Promise<EsState> {
      if ((o.write_operation === 'update' || o.write_operation === 'upsert') && !o.id_key && !o.generate_id) {
        throw new Error(`write_operation ${o.write_operation} needs Id_Key or Generate_ID`)
      }
      if (o.aws_auth && !o.aws_region) throw new Error('aws_auth On needs aws_region')
      if (/^[a-z]+:\/\//i.test(o.host)) {
        throw new Error(
          `invalid host '${o.host}': a host name or address without scheme (set tls On for HTTPS, Path for a sub-path)`,
        )
      }
      const bufferSize = resolveBufferSize(o.buffer_size)
      let host = o.host
      let port = o.port
      let tls = o.tls
      if (o.cloud_id) {
        const c = parseCloudId(o.cloud_id)
        host = c.host
        port = c.port
        tls = true // Elastic Cloud serves HTTPS only
      }
      const cfg = formatConfig(o)
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
        caFile: o['tls.ca_file'] ? ctx.resolvePath(o['tls.ca_file']) : undefined,
        crtFile: o['tls.crt_file'] ? ctx.resolvePath(o['tls.crt_file']) : undefined,
        keyFile: o['tls.key_file'] ? ctx.resolvePath(o['tls.key_file']) : undefined,
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
      const bulkPath = `${prefix}/_bulk${o.pipeline ? `?pipeline=${encodeURIComponent(o.pipeline)}` : ''}`
      const dlqDir = o['dlq.path']
        ? ctx.resolvePath(o['dlq.path'])
        : ctx.service.storagePath
          ? join(ctx.service.storagePath, 'rejected', ctx.id)
          : undefined
      const writer = dlqDir
        ? createDeadLetterWriter({
            dir: dlqDir,
            maxBytes: o['dlq.max_size'],
            output: ctx.id,
            log: ctx.log,
            metrics: ctx.metrics,
          })
        : undefined
      if (!writer) {
        ctx.log.warn(
          'no dead-letter directory (dlq.path or storage.path): records the server refuses will be logged, not kept',
        )
      }
      const tmpl = o.index_template.trim().toLowerCase()
      let template: EsState['template']
      if (tmpl !== 'off' && tmpl !== 'false' && tmpl !== 'no') {
        if (o.aws_service_name === 'aoss') {
          ctx.log.warn('index_template is not supported on OpenSearch Serverless (aoss); skipped')
        } else {
          const patterns = o.index_template_patterns?.length ? o.index_template_patterns : indexPatterns(o)
          const tname =
            tmpl === 'on' || tmpl === 'true' || tmpl === 'yes'
              ? `sluice-${patterns[0]!.replace(/[-*]+$/, '')}`
              : o.index_template.trim()
          template = { name: tname, patterns, fields: o.index_template_fields, prefix }
        }
      }
      const dctx: DeliverContext = {
        sender,
        bulkPath,
        log: ctx.log,
        describeCredentials: () => (o.aws_auth ? describeAwsCredentials(credOpts, lastKeyId) : auth.describe),
        deadLetter: deadLetterSink(writer, ctx, cfg),
        items: ctx.metrics.counter(
          'sluice_es_records_total',
          'Records by bulk outcome: delivered, duplicate, retried, dead_lettered, unconfirmed_retry.',
        ),
        traceError: o.trace_error,
        traceLimit: Math.min(bufferSize, 1 << 20),
        signal: ctx.signal,
      }
      return { cfg, sender, dctx, traceOutput: o.trace_output, template }
    },
    async flush(events, tag, state, ctx) {
      if (state.template) {
        const t = state.template
        const r = await installTemplate(state.sender, t.prefix, t.name, t.patterns, t.fields)
        if (r.kind === 'retry') return { kind: 'retry', reason: r.reason }
        state.template = undefined
        if (r.kind === 'installed')
          ctx.log.info(
            `index template ${r.name} installed on ${r.server} for ${t.patterns.join(', ')} (${r.strategy} on ${t.fields.join(', ')})`,
          )
        else if (r.kind === 'unsupported')
          ctx.log.warn(
            `${r.server} has no flat object mapping for index_template; use Replace_Dots On to avoid dotted-key conflicts`,
          )
        else ctx.log.error(`${r.reason}; continuing without it`)
      }
      const items = formatItems(state.cfg, events, tag, Math.floor(Date.now() / 1000))
      if (state.traceOutput) process.stdout.write(bulkBody(items))
      return deliver(items, tag, state.dctx, ctx.id)
    },
    async stop(state) {
      await state.sender.close()
    },
  })
}

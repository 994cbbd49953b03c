// The `es` and `opensearch` outputs: one implementation (the official Elasticsearch client refuses
// non-Elastic servers, so one undici bulk sender serves both), two names, Fluent Bit's options.

import { parseSize } from '@sluice/core/options.ts'
import type { DeadLetterEntry } from '../../dlq/entry.ts'
import { createDeadLetterWriter, type DeadLetterWriter } from '../../dlq/writer.ts'
import { defineOutput, type OutputContext } from '../../plugin.ts'
import { checkEsOptions, connect, deadLetterDir, esOptionProblems } from './connection.ts'
import { type DeadLetter, type DeliverContext, deliver } from './deliver.ts'
import { buildDoc, bulkBody, type FormatConfig, formatConfig, formatItems, jsonReplacer } from './format.ts'
import { indexPatterns, installTemplate } from './index-template.ts'
import { esOptions } from './options.ts'
import type { Sender } from './sender.ts'

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
    // Fluent Bit's default: two concurrent flushes (its plugin's `.workers = 2`)
    defaultWorkers: 2,
    validate: esOptionProblems,
    async init(o, ctx): Promise<EsState> {
      checkEsOptions(o)
      const bufferSize = resolveBufferSize(o.buffer_size)
      const cfg = formatConfig(o)
      const conn = connect(o, ctx.resolvePath)
      const { sender, bulkPath, prefix } = conn
      const dlqDir = deadLetterDir(o, ctx.service.storagePath, ctx.id, ctx.resolvePath)
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
        describeCredentials: conn.describeCredentials,
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

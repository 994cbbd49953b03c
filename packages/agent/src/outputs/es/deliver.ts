// Delivery of one batch through the bulk API, settling every record exactly once as delivered,
// retried alone, or dead-lettered with its reason (the FlushResult kinds of plugin.ts).
//
// Whole-request outcomes: 429 and 503 (Retry-After honoured), 5xx, 408 and connection errors → retry the
// batch; 413 → split in halves and send each (a single record too large is dead-lettered);
// 401/403 → error naming the credentials in use (records dead-lettered, so a replay can resend them
// once the credentials are fixed); other 4xx (a `_type` refused by 8.x, a wrong Path) → error, same.
// Per-item outcomes: see classify.ts. A response cut short settles the items it completed; the rest
// are retried, which is idempotent with Generate_ID or Id_Key (create + 409 = already delivered).

import type { Logger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { Metric } from '../../metrics.ts'
import type { FlushResult, Rejection } from '../../plugin.ts'
import { countSuccessfulItems, parseBulkResponse } from './bulk-response.ts'
import { classifyItem } from './classify.ts'
import { type BulkItem, bulkBodyBytes } from './format.ts'
import type { Sender } from './sender.ts'

export interface DeadLetter {
  readonly item: BulkItem
  readonly reason: string
  readonly status?: number
  readonly errorType?: string
}

export interface DeliverContext {
  readonly sender: Sender
  /** `/_bulk` with Path prefix and `?pipeline=`. */
  readonly bulkPath: string
  readonly log: Logger
  /** Names the credentials in use (never the secret). */
  describeCredentials(): string
  /** Keeps refused records (dead-letter queue); resolves once they are on disk (or logged). */
  deadLetter(tag: string, letters: readonly DeadLetter[]): Promise<void>
  readonly items: Metric
  readonly traceError: boolean
  readonly traceLimit: number
  readonly signal?: AbortSignal
}

interface Tally {
  delivered: number
  duplicates: number
  retry: LogEvent[]
  retryReasons: Set<string>
  retryAfterMs?: number
  letters: DeadLetter[]
  fatal?: string
  /** Records retried although an earlier attempt may have stored them (no id to make it idempotent). */
  unconfirmed: number
}

/** Parses Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v
  if (!s) return undefined
  if (/^\s*\d+\s*$/.test(s)) return Number(s) * 1000
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

function errorSummary(body: string): { type?: string; reason?: string } {
  try {
    const j = JSON.parse(body) as { error?: { type?: string; reason?: string } | string }
    if (typeof j.error === 'string') return { reason: j.error }
    return { type: j.error?.type, reason: j.error?.reason }
  } catch {
    return { reason: body.slice(0, 200) || undefined }
  }
}

async function sendItems(items: BulkItem[], tag: string, ctx: DeliverContext, t: Tally, name: string): Promise<void> {
  if (items.length === 0) return
  const res = await ctx.sender.send('POST', ctx.bulkPath, bulkBodyBytes(items), ctx.signal)
  const retryAll = (reason: string) => {
    for (const it of items) t.retry.push(it.event)
    t.retryReasons.add(reason)
    ctx.items.inc({ name, outcome: 'retried' }, items.length)
  }
  if (res.kind === 'network') {
    // The request may or may not have been applied: without ids a retry can duplicate.
    t.unconfirmed += items.filter((i) => i.id === undefined).length
    return retryAll(`connection error: ${res.error}`)
  }
  const s = res.status
  if (s === 200 || s === 201) {
    if (countSuccessfulItems(res.body) === items.length) {
      t.delivered += items.length
      ctx.items.inc({ name, outcome: 'delivered' }, items.length)
      return
    }
    const parsed = parseBulkResponse(res.body)
    if (parsed.complete && parsed.items.length !== items.length) {
      ctx.log.warn(
        `bulk response lists ${parsed.items.length} item results for ${items.length} records sent; the records without a result are retried`,
      )
    }
    if (!parsed.complete) {
      ctx.log.warn(
        `bulk response ${res.cut ? `cut short (${res.cutError})` : 'unreadable'} after ${res.body.length} bytes: ${parsed.items.length} of ${items.length} item results readable; the other ${items.length - parsed.items.length} records are retried${items.some((i) => i.id === undefined) ? ' (records without Generate_ID/Id_Key may be duplicated)' : ' (idempotent: they carry ids)'}`,
      )
    }
    const retried: BulkItem[] = []
    const deliveredBefore = t.delivered
    let duplicates = 0
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!
      const r = parsed.items[i]
      if (!r) {
        retried.push(it)
        if (it.id === undefined) t.unconfirmed++
        t.retryReasons.add('bulk response cut short')
        continue
      }
      const o = classifyItem(r, it.id)
      if (o.kind === 'delivered') {
        t.delivered++
        if (o.duplicate) duplicates++
      } else if (o.kind === 'retry') {
        retried.push(it)
        t.retryReasons.add(o.reason)
      } else {
        t.letters.push({ item: it, reason: o.reason, status: r.status, errorType: r.error?.type })
      }
    }
    // counted once per response, not per item (a labelled counter's lookup per record showed in profiles)
    t.duplicates += duplicates
    const delivered = t.delivered - deliveredBefore - duplicates
    if (delivered > 0) ctx.items.inc({ name, outcome: 'delivered' }, delivered)
    if (duplicates > 0) ctx.items.inc({ name, outcome: 'duplicate' }, duplicates)
    for (const it of retried) t.retry.push(it.event)
    if (retried.length) ctx.items.inc({ name, outcome: 'retried' }, retried.length)
    if (ctx.traceError && (parsed.errors || !parsed.complete)) {
      ctx.log.error(`bulk request reported errors; response:\n${res.body.slice(0, ctx.traceLimit)}`)
    }
    return
  }
  if (s === 413) {
    if (items.length === 1) {
      t.letters.push({
        item: items[0]!,
        reason: "413 request entity too large: this single record exceeds the server's http.max_content_length",
        status: 413,
      })
      return
    }
    const half = Math.ceil(items.length / 2)
    ctx.log.info(`bulk request of ${items.length} records refused with 413 (too large): sending it as two halves`)
    await sendItems(items.slice(0, half), tag, ctx, t, name)
    await sendItems(items.slice(half), tag, ctx, t, name)
    return
  }
  const err = errorSummary(res.body)
  const what = `HTTP ${s}${err.type ? ` ${err.type}` : ''}${err.reason ? `: ${err.reason}` : ''}`
  if (s === 429 || s === 408 || s >= 500) {
    const after = s === 429 || s === 503 ? parseRetryAfter(res.headers['retry-after']) : undefined
    if (after !== undefined) t.retryAfterMs = Math.max(t.retryAfterMs ?? 0, after)
    return retryAll(what)
  }
  if (s === 401 || s === 403) {
    t.fatal = `${s === 401 ? 'authentication failed' : 'not authorized'} with ${ctx.describeCredentials()} (${what})`
  } else {
    const hint = /unknown parameter \[_type\]/.test(err.reason ?? '')
      ? ' (set Suppress_Type_Name On for Elasticsearch 8+ and OpenSearch 2+)'
      : ''
    t.fatal = `bulk request refused: ${what}${hint}`
  }
  for (const it of items) t.letters.push({ item: it, reason: t.fatal, status: s, errorType: err.type })
}

/** Sends the formatted items of one batch and says what became of each record. */
export async function deliver(
  items: readonly BulkItem[],
  tag: string,
  ctx: DeliverContext,
  name: string,
): Promise<FlushResult> {
  const t: Tally = { delivered: 0, duplicates: 0, retry: [], retryReasons: new Set(), letters: [], unconfirmed: 0 }
  const valid: BulkItem[] = []
  for (const it of items) {
    if (it.invalid) t.letters.push({ item: it, reason: it.invalid })
    else valid.push(it)
  }
  await sendItems(valid, tag, ctx, t, name)

  if (t.letters.length) {
    await ctx.deadLetter(tag, t.letters)
    ctx.items.inc({ name, outcome: 'dead_lettered' }, t.letters.length)
  }
  if (t.unconfirmed) {
    ctx.items.inc({ name, outcome: 'unconfirmed_retry' }, t.unconfirmed)
  }
  const rejected: Rejection[] = t.letters.map((l) => ({ event: l.item.event, reason: l.reason }))
  const retryReason = [...t.retryReasons].slice(0, 3).join('; ')
  if (t.fatal && t.delivered === 0 && t.retry.length === 0) {
    ctx.log.error(t.fatal)
    return { kind: 'error', reason: t.fatal }
  }
  if (t.retry.length === 0 && rejected.length === 0) return { kind: 'ok' }
  if (rejected.length === 0 && t.delivered === 0 && t.retry.length === items.length) {
    return { kind: 'retry', reason: retryReason, retryAfterMs: t.retryAfterMs }
  }
  const parts = [
    `${t.delivered} delivered${t.duplicates ? ` (${t.duplicates} already present)` : ''}`,
    t.retry.length ? `${t.retry.length} to retry (${retryReason})` : '',
    rejected.length ? `${rejected.length} dead-lettered` : '',
  ].filter(Boolean)
  return {
    kind: 'partial',
    reason: parts.join(', '),
    retry: t.retry,
    rejected,
    retryAfterMs: t.retryAfterMs,
  }
}

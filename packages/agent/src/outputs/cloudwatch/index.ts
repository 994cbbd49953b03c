// The `cloudwatch_logs` output (fluent-bit/plugins/out_cloudwatch_logs; docs "Amazon CloudWatch"):
// records go to one log group, to the stream Log_Stream_Name or Log_Stream_Prefix + tag, as JSON (or
// Log_Key's value), through PutLogEvents. The stream is created on first use (and the group too with
// Auto_Create_Group, with Log_Retention_Days); a stream or group deleted later is created again.
// Credentials: the AWS default chain (environment, EKS IRSA web identity, profiles, ECS/EC2), with
// Role_ARN assumed through STS. Events the service refuses for good (too old, too new, expired) are
// rejected with that reason, counted and logged; everything else that fails is retried.

import type { LogEvent } from '@sluice/core/record.ts'
import { credentialProvider } from '../../aws/credentials.ts'
import { createSigner } from '../../aws/sigv4.ts'
import { defineOutput, type FlushResult, type OptionProblem, type Rejection } from '../../plugin.ts'
import { createSender, type Sender } from '../es/sender.ts'
import { type CallOutcome, call, describe, retryable } from './client.ts'
import { batches, type CwEvent, putLogEventsRequest, toEvents } from './events.ts'
import { type CloudwatchOptionValues, cloudwatchOptions } from './options.ts'

interface CwState {
  readonly o: CloudwatchOptionValues
  readonly sender: Sender
  /** Streams known to exist (created by this output or found existing). */
  readonly streams: Set<string>
  readonly truncated: (n: number) => void
}

export function cloudwatchProblems(o: CloudwatchOptionValues): OptionProblem[] {
  const problems: OptionProblem[] = []
  if (o.log_stream_name === undefined && o.log_stream_prefix === undefined)
    problems.push({ option: 'log_stream_name', message: 'either log_stream_name or log_stream_prefix is required' })
  if (o.log_stream_name !== undefined && o.log_stream_prefix !== undefined)
    problems.push({
      option: 'log_stream_prefix',
      message: 'log_stream_name and log_stream_prefix cannot both be set (Fluent Bit refuses it too)',
    })
  if (o.log_retention_days < 0)
    problems.push({ option: 'log_retention_days', message: 'log_retention_days must be 0 (never expire) or more' })
  if (o.endpoint !== undefined && /^[a-z]+:\/\//i.test(o.endpoint) && !/^https?:\/\/[^/]+\/?$/i.test(o.endpoint))
    problems.push({
      option: 'endpoint',
      message: `invalid endpoint '${o.endpoint}': a host name or http(s)://host[:port]`,
    })
  return problems
}

/** Host, port and TLS of the CloudWatch Logs endpoint. */
export function endpointOf(o: CloudwatchOptionValues): { host: string; port: number; tls: boolean } {
  if (o.endpoint === undefined) return { host: `logs.${o.region}.amazonaws.com`, port: 443, tls: true }
  if (/^https?:\/\//i.test(o.endpoint)) {
    const u = new URL(o.endpoint)
    const tls = u.protocol === 'https:'
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : tls ? 443 : 80, tls }
  }
  return { host: o.endpoint, port: 443, tls: true }
}

/** A definite answer about a group or stream (missing, or there already): never worth repeating at once. */
const stateAnswer = (r: CallOutcome) =>
  r.kind === 'aws_error' && (r.type === 'ResourceNotFoundException' || r.type === 'ResourceAlreadyExistsException')

async function callWithRetry(s: CwState, action: string, payload: unknown, logFormat?: string): Promise<CallOutcome> {
  let r = await call(s.sender, action, payload, logFormat)
  if (r.kind !== 'ok' && s.o.auto_retry_requests && retryable(r) && !stateAnswer(r))
    r = await call(s.sender, action, payload, logFormat)
  return r
}

const exists = (r: CallOutcome) =>
  r.kind === 'ok' || (r.kind === 'aws_error' && r.type === 'ResourceAlreadyExistsException')

/** Creates the log group (Auto_Create_Group) and its retention policy; an error text when that fails. */
async function createGroup(s: CwState, log: { info(m: string): void }): Promise<string | undefined> {
  const g = s.o.log_group_name!
  const r = await callWithRetry(s, 'CreateLogGroup', { logGroupName: g })
  if (!exists(r)) return `cannot create log group ${g}: ${describe(r)}`
  if (r.kind === 'ok') {
    log.info(`created log group ${g}`)
    if (s.o.log_retention_days > 0) {
      const p = await callWithRetry(s, 'PutRetentionPolicy', {
        logGroupName: g,
        retentionInDays: s.o.log_retention_days,
      })
      if (p.kind !== 'ok') return `cannot set the retention of log group ${g}: ${describe(p)}`
    }
  }
  return undefined
}

/** Makes sure the stream exists; an error text (retryable) when it cannot. */
async function ensureStream(s: CwState, stream: string, log: { info(m: string): void }): Promise<string | undefined> {
  if (s.streams.has(stream)) return undefined
  const g = s.o.log_group_name!
  let r = await callWithRetry(s, 'CreateLogStream', { logGroupName: g, logStreamName: stream })
  if (r.kind === 'aws_error' && r.type === 'ResourceNotFoundException') {
    if (!s.o.auto_create_group)
      return `log group ${g} does not exist (create it, or set auto_create_group On): ${describe(r)}`
    const failed = await createGroup(s, log)
    if (failed) return failed
    r = await callWithRetry(s, 'CreateLogStream', { logGroupName: g, logStreamName: stream })
  }
  if (!exists(r)) return `cannot create log stream ${stream} in ${g}: ${describe(r)}`
  s.streams.add(stream)
  return undefined
}

/** The events of a successful call that the service did not store (rejectedLogEventsInfo). */
function refused(body: Record<string, unknown>, sent: readonly CwEvent[]): Rejection[] {
  const info = body.rejectedLogEventsInfo as
    | { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number }
    | undefined
  if (!info) return []
  const out: Rejection[] = []
  for (let i = 0; i < sent.length; i++) {
    let reason: string | undefined
    if (info.tooNewLogEventStartIndex !== undefined && i >= info.tooNewLogEventStartIndex)
      reason = 'refused by CloudWatch Logs: more than 2 hours in the future'
    else if (info.expiredLogEventEndIndex !== undefined && i < info.expiredLogEventEndIndex)
      reason = "refused by CloudWatch Logs: older than the log group's retention"
    else if (info.tooOldLogEventEndIndex !== undefined && i < info.tooOldLogEventEndIndex)
      reason = 'refused by CloudWatch Logs: older than 14 days (or than the log group creation)'
    if (reason) out.push({ event: sent[i]!.source, reason })
  }
  return out
}

export const cloudwatchOutput = defineOutput({
  name: 'cloudwatch_logs',
  description: 'Amazon CloudWatch Logs (PutLogEvents, SigV4; streams and groups created on demand)',
  options: cloudwatchOptions,
  validate: cloudwatchProblems,
  init(o, ctx): CwState {
    const first = cloudwatchProblems(o)[0]
    if (first) throw new Error(first.message)
    const ep = endpointOf(o)
    const credentials = credentialProvider({
      region: o.region,
      profile: o.profile,
      roleArn: o.role_arn,
      externalId: o.external_id,
      stsEndpoint: o.sts_endpoint,
    })
    const sender = createSender({
      host: ep.host,
      port: ep.port,
      tls: ep.tls,
      tlsVerify: true,
      signer: createSigner({ region: o.region!, service: 'logs', credentials }),
      gzip: false,
      connectTimeoutMs: 10_000,
      timeoutMs: 30_000,
      keepAlive: true,
      userAgent: 'sluice-cloudwatch_logs',
    })
    const truncated = ctx.metrics
      .counter(
        'sluice_cloudwatch_truncated_events_total',
        'Messages cut to 256 KiB − 26 bytes, the CloudWatch event limit',
      )
      .labels({ name: ctx.id })
    return { o, sender, streams: new Set(), truncated: (n) => truncated.inc(n) }
  },
  async flush(records, tag, s, ctx): Promise<FlushResult> {
    const stream = s.o.log_stream_name ?? `${s.o.log_stream_prefix}${tag}`
    const conv = toEvents(records, s.o.log_key)
    if (conv.truncated > 0) {
      s.truncated(conv.truncated)
      ctx.log.warn(`${conv.truncated} message(s) longer than 262118 bytes truncated (the CloudWatch event limit)`)
    }
    const rejected: Rejection[] = [...conv.rejected]
    const calls = batches(conv.events)
    for (let b = 0; b < calls.length; b++) {
      const sent = calls[b]!
      const pending = (): LogEvent[] => calls.slice(b).flatMap((c) => c.map((e) => e.source))
      const notReady = await ensureStream(s, stream, ctx.log)
      if (notReady) return partialOrRetry(records, pending(), rejected, notReady)
      const request = putLogEventsRequest(s.o.log_group_name!, stream, sent)
      let r = await callWithRetry(s, 'PutLogEvents', request, s.o.log_format)
      if (r.kind === 'aws_error' && r.type === 'ResourceNotFoundException') {
        // the stream (or group) was deleted since it was created: create it again, once
        s.streams.delete(stream)
        const again = await ensureStream(s, stream, ctx.log)
        if (again) return partialOrRetry(records, pending(), rejected, again)
        r = await callWithRetry(s, 'PutLogEvents', request, s.o.log_format)
      }
      if (r.kind === 'aws_error' && r.type === 'DataAlreadyAcceptedException') continue // a retry of a call that landed
      if (r.kind !== 'ok') {
        const reason = `PutLogEvents to ${s.o.log_group_name}/${stream}: ${describe(r)}`
        if (retryable(r)) return partialOrRetry(records, pending(), rejected, reason)
        for (const e of sent) rejected.push({ event: e.source, reason })
        continue
      }
      rejected.push(...refused(r.body, sent))
    }
    if (rejected.length === 0) return { kind: 'ok' }
    return { kind: 'partial', reason: rejected[0]!.reason, retry: [], rejected }
  },
  async stop(s) {
    await s.sender.close()
  },
})

/** `retry` for the whole batch when nothing was delivered yet, else a partial result. */
function partialOrRetry(
  all: readonly LogEvent[],
  retry: LogEvent[],
  rejected: Rejection[],
  reason: string,
): FlushResult {
  if (rejected.length === 0 && retry.length === all.length) return { kind: 'retry', reason }
  return { kind: 'partial', reason, retry, rejected }
}

export const cloudwatchOutputs = [cloudwatchOutput]

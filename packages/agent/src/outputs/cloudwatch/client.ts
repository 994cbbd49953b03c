// The CloudWatch Logs calls the output makes, in the service's JSON 1.1 protocol (Amazon CloudWatch
// Logs API Reference: POST / with `X-Amz-Target: Logs_20140328.<Action>`, Content-Type
// application/x-amz-json-1.1, SigV4 with service name `logs`; errors are 400/5xx with a JSON body
// `{"__type": "...Exception", "message": "..."}`). Each call's outcome is a value, never a throw.

import type { Sender } from '../es/sender.ts'

export type CallOutcome =
  | { readonly kind: 'ok'; readonly body: Record<string, unknown> }
  /** The service refused: `type` is the exception name (`ResourceNotFoundException`, …). */
  | { readonly kind: 'aws_error'; readonly status: number; readonly type: string; readonly message: string }
  /** No usable answer (connection error, cut body, a status without an AWS error body). */
  | { readonly kind: 'transport'; readonly message: string }

export async function call(
  sender: Sender,
  action: string,
  payload: unknown,
  logFormat?: string,
  signal?: AbortSignal,
): Promise<CallOutcome> {
  const headers: Record<string, string> = { 'x-amz-target': `Logs_20140328.${action}` }
  if (logFormat) headers['x-amzn-logs-format'] = logFormat
  const r = await sender.send('POST', '/', JSON.stringify(payload), signal, 'application/x-amz-json-1.1', headers)
  if (r.kind === 'network') return { kind: 'transport', message: r.error }
  if (r.cut) return { kind: 'transport', message: `response cut short: ${r.cutError ?? 'connection closed'}` }
  let body: Record<string, unknown> = {}
  try {
    body = r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}
  } catch {
    if (r.status >= 200 && r.status < 300) return { kind: 'ok', body: {} }
    return { kind: 'transport', message: `HTTP ${r.status}: ${r.body.slice(0, 200)}` }
  }
  if (r.status >= 200 && r.status < 300) return { kind: 'ok', body }
  const rawType = String(body.__type ?? body.code ?? '')
  const type = rawType.includes('#') ? rawType.slice(rawType.lastIndexOf('#') + 1) : rawType
  const message = String(body.message ?? body.Message ?? '')
  if (!type) return { kind: 'transport', message: `HTTP ${r.status}: ${r.body.slice(0, 200)}` }
  return { kind: 'aws_error', status: r.status, type, message }
}

/**
 * Whether retrying can help: throttling, service trouble (5xx) and transport failures can pass; a
 * request the service judged invalid cannot. Access and credential errors are retried too (a role or
 * policy being fixed, a web-identity token being refreshed), bounded by Retry_Limit as in Fluent Bit.
 */
export function retryable(o: CallOutcome): boolean {
  if (o.kind === 'ok') return false
  if (o.kind === 'transport') return true
  return o.type !== 'InvalidParameterException' && o.type !== 'SerializationException'
}

export function describe(o: CallOutcome): string {
  if (o.kind === 'ok') return 'ok'
  if (o.kind === 'transport') return o.message
  return `${o.type} (HTTP ${o.status}): ${o.message}`
}

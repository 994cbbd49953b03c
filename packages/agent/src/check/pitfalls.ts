// Warnings for configurations that Fluent Bit accepts but that lose or garble logs, each one met in
// the seeds or in the complaints PRODUCT.md lists.

import type { Diagnostic } from '@sluice/core/diagnostics.ts'

/** Outputs that send over a network, where a failed flush is a normal event (outage, 429, restart). */
export const NETWORK_OUTPUTS = new Set([
  'es',
  'opensearch',
  'http',
  'forward',
  'cloudwatch_logs',
  'kinesis_firehose',
  'kinesis_streams',
  's3',
  'kafka',
  'kafka-rest',
  'loki',
  'splunk',
  'datadog',
  'stackdriver',
  'azure',
  'azure_blob',
  'azure_logs_ingestion',
  'bigquery',
  'syslog',
  'tcp',
  'udp',
  'gelf',
  'influxdb',
  'opentelemetry',
  'prometheus_remote_write',
  'websocket',
  'nats',
  'logdna',
  'new_relic',
  'pgsql',
  'skywalking',
  'vivo_exporter',
  'chronicle',
  'oracle_log_analytics',
])

/** Below this rate (bytes per second) a Mem_Buf_Limit/Flush pair starves a busy node. */
export const MIN_BUFFER_THROUGHPUT = 1024 * 1024

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

/**
 * Mem_Buf_Limit pauses the input once that many bytes wait in memory; the buffer drains once per
 * Flush interval. So an input can read at most about limit / flush bytes per second.
 */
export function memBufLimitWarning(
  limit: number,
  flush: number,
  base: Omit<Diagnostic, 'severity' | 'message'>,
): Diagnostic | undefined {
  if (flush <= 0) return undefined
  const rate = limit / flush
  if (rate >= MIN_BUFFER_THROUGHPUT) return undefined
  return {
    severity: 'warning',
    message:
      `Mem_Buf_Limit ${formatBytes(limit)} with Flush ${flush}s: the input pauses once ${formatBytes(limit)} are buffered and ` +
      `the buffer drains once per ${flush}s flush, so it reads at most ~${formatBytes(Math.floor(rate))}/s ` +
      `(~${formatBytes(Math.floor(rate * 86400))}/day); a busy node writes more, the paused tail falls behind and ` +
      `loses rotated files. Raise Mem_Buf_Limit to at least ${formatBytes(Math.ceil(MIN_BUFFER_THROUGHPUT * flush))} or lower Flush`,
    ...base,
  }
}

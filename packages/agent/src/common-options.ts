// Options every instance of a kind accepts, handled by the engine rather than by the plugin
// (Fluent Bit: flb_input.c / flb_filter.c / flb_output.c properties), and the [SERVICE] section.
// The engine resolves a section's entries against the plugin's own table with these passed through,
// then against these tables.

import type { OptionTable } from '@sluice/core/options.ts'

export const serviceOptions = {
  flush: { type: 'double', default: '1', description: 'Seconds between flushes of buffered records to outputs.' },
  grace: { type: 'time', default: '5', description: 'Seconds to wait on shutdown for pending deliveries.' },
  daemon: {
    type: 'bool',
    default: 'off',
    description: 'Run in the background.',
    ignored: 'run Sluice under a supervisor (Kubernetes, systemd)',
  },
  log_level: {
    type: 'str',
    default: 'info',
    values: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'],
    description: 'Logging verbosity.',
  },
  log_file: { type: 'str', description: 'Write the agent log to this file instead of stderr.' },
  parsers_file: {
    type: 'str',
    multiple: true,
    description: 'A file of [PARSER] / [MULTILINE_PARSER] sections (repeatable).',
  },
  plugins_file: {
    type: 'str',
    description: 'Fluent Bit external plugins file.',
    ignored: 'Sluice has no shared-object plugins',
  },
  streams_file: {
    type: 'str',
    description: 'Stream processor configuration.',
    ignored: 'the stream processor is not implemented',
  },
  http_server: { type: 'bool', default: 'off', description: 'Serve the monitoring HTTP API.' },
  http_listen: { type: 'str', default: '0.0.0.0', description: 'Address of the monitoring HTTP API.' },
  http_port: { type: 'int', default: '2020', description: 'Port of the monitoring HTTP API.' },
  health_check: {
    type: 'bool',
    default: 'off',
    description: 'Report unhealthy from /api/v1/health when outputs keep failing.',
  },
  hc_errors_count: {
    type: 'int',
    default: '5',
    description: 'Output errors within HC_Period that make the agent unhealthy.',
  },
  hc_retry_failure_count: {
    type: 'int',
    default: '5',
    description: 'Failed retries within HC_Period that make the agent unhealthy.',
  },
  hc_period: { type: 'int', default: '60', description: 'Seconds over which health errors are counted.' },
  hot_reload: {
    type: 'bool',
    default: 'off',
    description: 'Allow reloading the configuration on SIGHUP and POST /api/v2/reload.',
  },
  'scheduler.base': {
    type: 'int',
    default: '5',
    description: 'Base seconds of the full-jitter exponential retry backoff.',
  },
  'scheduler.cap': { type: 'int', default: '2000', description: 'Maximum seconds between retries.' },
  'storage.path': { type: 'str', description: 'Directory for filesystem buffering and dead-letter files.' },
  'storage.sync': {
    type: 'str',
    default: 'normal',
    values: ['normal', 'full'],
    description: 'fsync policy of buffer chunks.',
  },
  'storage.checksum': { type: 'bool', default: 'off', description: 'CRC32 of each buffer chunk, checked on replay.' },
  'storage.max_chunks_up': {
    type: 'int',
    default: '128',
    description: 'Chunks kept in memory at once with filesystem buffering.',
  },
  'storage.backlog.mem_limit': {
    type: 'size',
    default: '5M',
    description: 'Memory for replaying chunks left on disk at start.',
  },
  'storage.metrics': { type: 'bool', default: 'on', description: 'Expose storage metrics on the monitoring API.' },
  'storage.delete_irrecoverable_chunks': {
    type: 'bool',
    default: 'off',
    description: 'Delete corrupted chunks instead of quarantining them.',
  },
  multiline_buffer_limit: {
    type: 'size',
    default: '2MB',
    description: 'Largest record a multiline parser may join; beyond it the record is cut, emitted and counted.',
  },
  coro_stack_size: {
    type: 'size',
    default: '24576',
    description: 'Coroutine stack size.',
    ignored: 'Sluice has no coroutines',
  },
  'dns.mode': {
    type: 'str',
    values: ['udp', 'tcp'],
    description: 'DNS transport.',
    ignored: 'the system resolver is used',
  },
} as const satisfies OptionTable

export const inputCommonOptions = {
  name: { type: 'str', required: true, description: 'Plugin name.' },
  tag: {
    type: 'str',
    description: 'Tag of the records; `*` in it is replaced as the plugin documents (tail: the file path).',
  },
  alias: { type: 'str', description: 'Instance name used in logs and metrics instead of `name.N`.' },
  log_level: {
    type: 'str',
    values: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'],
    description: 'Log level of this instance.',
  },
  mem_buf_limit: { type: 'size', description: 'Pause the input when its records buffered in memory exceed this size.' },
  'storage.type': {
    type: 'str',
    default: 'memory',
    values: ['memory', 'filesystem'],
    description: 'Where buffered records live.',
  },
  'storage.pause_on_chunks_overlimit': {
    type: 'bool',
    default: 'off',
    description: 'Pause the input when storage.max_chunks_up is reached.',
  },
  threaded: {
    type: 'bool',
    default: 'off',
    description: 'Run the input in its own thread.',
    ignored: 'inputs share the event loop',
  },
  routable: { type: 'bool', default: 'on', description: 'Whether records of this input are routed to outputs.' },
} as const satisfies OptionTable

export const filterCommonOptions = {
  name: { type: 'str', required: true, description: 'Plugin name.' },
  match: { type: 'str', description: 'Tag pattern (`*` wildcard) of records this filter processes.' },
  match_regex: { type: 'str', description: 'Regular expression on the tag, instead of Match.' },
  alias: { type: 'str', description: 'Instance name used in logs and metrics instead of `name.N`.' },
  log_level: {
    type: 'str',
    values: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'],
    description: 'Log level of this instance.',
  },
} as const satisfies OptionTable

export const outputCommonOptions = {
  name: { type: 'str', required: true, description: 'Plugin name.' },
  match: { type: 'str', description: 'Tag pattern (`*` wildcard) of records this output receives.' },
  match_regex: { type: 'str', description: 'Regular expression on the tag, instead of Match.' },
  alias: { type: 'str', description: 'Instance name used in logs and metrics instead of `name.N`.' },
  log_level: {
    type: 'str',
    values: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'],
    description: 'Log level of this instance.',
  },
  retry_limit: {
    type: 'str',
    default: '1',
    description: 'Retries per batch: a number, `no_limits`/`False` (retry forever), or `no_retries`.',
  },
  workers: {
    type: 'int',
    default: '1',
    description: 'Concurrent flushes of this output (es, opensearch, forward and http default to 2, as in Fluent Bit).',
  },
  'storage.total_limit_size': {
    type: 'size',
    description: 'Cap of buffered data for this output; the oldest chunks are dropped (counted, logged).',
  },
  'net.connect_timeout': { type: 'time', default: '10s', description: 'Connection timeout.' },
  'net.keepalive': { type: 'bool', default: 'on', description: 'Reuse connections.' },
  'net.keepalive_idle_timeout': {
    type: 'time',
    default: '30s',
    description: 'Close idle kept-alive connections after this long.',
  },
  'net.keepalive_max_recycle': { type: 'int', default: '2000', description: 'Requests per kept-alive connection.' },
  'net.dns.mode': {
    type: 'str',
    values: ['udp', 'tcp'],
    description: 'DNS transport.',
    ignored: 'the system resolver is used',
  },
  'net.source_address': { type: 'str', description: 'Local address to connect from.' },
} as const satisfies OptionTable

/** Parses Retry_Limit: a count, or Infinity for no_limits/False, 0 for no_retries. */
export function parseRetryLimit(text: string): number | { error: string } {
  const t = text.trim().toLowerCase()
  if (t === 'no_limits' || t === 'false' || t === 'off') return Number.POSITIVE_INFINITY
  if (t === 'no_retries') return 0
  if (/^\d+$/.test(t)) return Number(t)
  return { error: `'${text}' is not a retry limit (a number, no_limits, False or no_retries)` }
}

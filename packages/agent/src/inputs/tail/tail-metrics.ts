// The tail input's metrics, with Fluent Bit's names (fluent-bit/plugins/in_tail/tail_config.c:
// cmt_files_opened/closed/rotated; long_line_truncated_total and long_line_skipped_total from
// in_tail's long-line handling), labelled by instance `name`, plus Sluice's own for what Fluent Bit
// does not count.

import type { Metric, MetricsRegistry } from '../../metrics.ts'

export interface TailMetrics {
  readonly opened: Metric
  readonly closed: Metric
  readonly rotated: Metric
  readonly longSkipped: Metric
  readonly longTruncated: Metric
  /** Files abandoned because of a long line (no skip/truncate policy), until they rotate. */
  readonly abandoned: Metric
  /** Files that could not be opened, stat'ed, read or tagged, by `reason`. */
  readonly errors: Metric
  /** Files truncated in place (copytruncate) and read again from the start. */
  readonly truncated: Metric
  /** Files open now. */
  readonly open: Metric
}

export function tailMetrics(reg: MetricsRegistry): TailMetrics {
  return {
    opened: reg.counter('fluentbit_input_files_opened_total', 'Total number of opened files'),
    closed: reg.counter('fluentbit_input_files_closed_total', 'Total number of closed files'),
    rotated: reg.counter('fluentbit_input_files_rotated_total', 'Total number of rotated files'),
    longSkipped: reg.counter(
      'fluentbit_input_long_line_skipped_total',
      'Total number of skipped occurences for long lines',
    ),
    longTruncated: reg.counter(
      'fluentbit_input_long_line_truncated_total',
      'Total number of truncated occurences for long lines',
    ),
    abandoned: reg.counter(
      'sluice_input_tail_files_abandoned_total',
      'Files no longer read because a line exceeded buffer_max_size (until the file rotates)',
    ),
    errors: reg.counter('sluice_input_tail_file_errors_total', 'Files that could not be opened, read or tagged'),
    truncated: reg.counter(
      'sluice_input_tail_files_truncated_total',
      'Files truncated in place and read again from the start',
    ),
    open: reg.gauge('sluice_input_tail_files_open', 'Files the tail input has open now'),
  }
}

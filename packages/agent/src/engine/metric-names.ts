// The engine's metrics, named exactly as Fluent Bit names them (administration/monitoring), label
// `name` = instance id, so that existing Prometheus dashboards and alerts keep working. Metrics
// Fluent Bit does not have are prefixed `sluice_`.

import type { MetricsRegistry, Series } from '../metrics.ts'

export function inputSeries(m: MetricsRegistry, name: string) {
  const l = { name }
  return {
    records: m.counter('fluentbit_input_records_total', 'Number of input records.').labels(l),
    bytes: m.counter('fluentbit_input_bytes_total', 'Number of input bytes.').labels(l),
    paused: m.gauge('fluentbit_input_ingestion_paused', 'Is the input paused or not?').labels(l),
    pauses: m.counter('sluice_input_paused_total', 'Times the input was paused (Mem_Buf_Limit reached).').labels(l),
    waits: m
      .counter(
        'sluice_input_backpressure_waits_total',
        'Times the input waited for outputs at the default in-flight bound (no Mem_Buf_Limit).',
      )
      .labels(l),
    buffered: m
      .gauge('sluice_input_buffered_bytes', 'Estimated bytes of records of this input not yet delivered.')
      .labels(l),
    unrouted: m
      .counter('sluice_input_unrouted_records_total', 'Records that matched no output (acknowledged at once).')
      .labels(l),
  }
}
export type InputSeries = ReturnType<typeof inputSeries>

export function filterSeries(m: MetricsRegistry, name: string) {
  const l = { name }
  return {
    add: m.counter('fluentbit_filter_add_records_total', 'Number of records added by the filter.').labels(l),
    drop: m.counter('fluentbit_filter_drop_records_total', 'Number of records dropped by the filter.').labels(l),
    errors: m
      .counter('sluice_filter_errors_total', 'Batches the filter failed on (records passed on unchanged).')
      .labels(l),
  }
}
export type FilterSeries = ReturnType<typeof filterSeries>

export interface OutputSeries {
  readonly procRecords: Series
  readonly procBytes: Series
  readonly errors: Series
  readonly retries: Series
  readonly retriesFailed: Series
  readonly dropped: Series
  readonly retried: Series
}

export function outputSeries(m: MetricsRegistry, name: string): OutputSeries {
  const l = { name }
  return {
    procRecords: m.counter('fluentbit_output_proc_records_total', 'Number of processed output records.').labels(l),
    procBytes: m.counter('fluentbit_output_proc_bytes_total', 'Number of processed output bytes.').labels(l),
    errors: m.counter('fluentbit_output_errors_total', 'Number of output errors.').labels(l),
    retries: m.counter('fluentbit_output_retries_total', 'Number of output retries.').labels(l),
    retriesFailed: m
      .counter(
        'fluentbit_output_retries_failed_total',
        'Number of abandoned batches because the maximum number of re-tries was reached.',
      )
      .labels(l),
    dropped: m.counter('fluentbit_output_dropped_records_total', 'Number of dropped records.').labels(l),
    retried: m.counter('fluentbit_output_retried_records_total', 'Number of retried records.').labels(l),
  }
}

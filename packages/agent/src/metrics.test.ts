import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMetrics } from './metrics.ts'

test('bound series and label lookups share one value; Prometheus text escapes labels', () => {
  const m = createMetrics()
  const c = m.counter('fluentbit_input_records_total', 'Number of input records.')
  const bound = c.labels({ name: 'tail.0' })
  bound.inc(3)
  c.inc({ name: 'tail.0' }, 2)
  assert.equal(bound.get(), 5)
  assert.equal(c.get({ name: 'tail.0' }), 5)
  m.gauge('g', 'A gauge.').labels({ name: 'a"b\\c\nd' }).set(7)
  assert.equal(
    m.prometheus(),
    [
      '# HELP fluentbit_input_records_total Number of input records.',
      '# TYPE fluentbit_input_records_total counter',
      'fluentbit_input_records_total{name="tail.0"} 5',
      '# HELP g A gauge.',
      '# TYPE g gauge',
      'g{name="a\\"b\\\\c\\nd"} 7',
      '',
    ].join('\n'),
  )
  assert.equal(m.counter('fluentbit_input_records_total', 'x'), c, 'same name, same metric')
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '@sluice/core/config/load.ts'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'
import { checkConfig } from '../../check/check.ts'

// `sluice check` on tail's old multiline options (Multiline On, Parser_Firstline, Parser_N), with the
// real plugins: Fluent Bit refuses to start without a first-line parser or with an unknown one.
async function diagnostics(extra: string): Promise<string[]> {
  const text = `[INPUT]\n    Name tail\n    Path /var/log/app/*.log\n    Multiline On\n${extra}[OUTPUT]\n    Name stdout\n    Match *\n`
  const loaded = await loadConfig('/cfg/ml.conf', { text, env: {} })
  return checkConfig(loaded).map(formatDiagnostic)
}

test('Multiline On without Parser_Firstline is an error at the Multiline line', async () => {
  assert.deepEqual(await diagnostics(''), [
    '/cfg/ml.conf:4: error: input:tail:tail.0: multiline is on but parser_firstline is not set',
  ])
})

test('Parser_Firstline and Parser_N name parsers that must exist', async () => {
  const ds = await diagnostics('    Parser_Firstline java_first\n    Parser_1 nope\n')
  assert.equal(ds.length, 2, ds.join('\n'))
  assert.match(ds[0]!, /^\/cfg\/ml\.conf:5: error: input:tail:tail\.0: unknown parser 'java_first'/)
  assert.match(ds[1]!, /^\/cfg\/ml\.conf:6: error: input:tail:tail\.0: unknown parser 'nope'/)
})

test('a complete old-multiline section is clean (no "accepted without effect" warning any more)', async () => {
  assert.deepEqual(
    await diagnostics('    Parser_Firstline syslog-rfc3164\n    Parser_1 json\n    Multiline_Flush 2\n'),
    [],
  )
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '@sluice/core/config/load.ts'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'
import { checkConfig } from '../../check/check.ts'

// Checks that need several es options together are config errors in `sluice check` (file, line,
// instance, option), not only a start-up failure of the running agent.
test('sluice check reports es option combinations that cannot work, at the option that is wrong', async () => {
  const text = [
    '[INPUT]',
    '    Name dummy',
    '[OUTPUT]',
    '    Name            es',
    '    Match           *',
    '    Host            https://search.example.com',
    '    Write_Operation upsert',
    '    AWS_Auth        On',
    '',
  ].join('\n')
  const loaded = await loadConfig('/cfg/es.conf', { text, env: {} })
  const errors = checkConfig(loaded)
    .filter((d) => d.severity === 'error')
    .map(formatDiagnostic)
  assert.equal(errors.length, 3, errors.join('\n'))
  assert.match(
    errors.find((e) => e.includes('write_operation'))!,
    /es\.conf:7.*es\.0.*write_operation upsert needs Id_Key or Generate_ID/,
  )
  assert.match(errors.find((e) => e.includes('aws_region'))!, /es\.conf:8.*aws_auth On needs aws_region/)
  assert.match(errors.find((e) => e.includes('scheme'))!, /es\.conf:6.*invalid host 'https:\/\/search\.example\.com'/)
})

test('a valid es section has no such errors', async () => {
  const text =
    '[INPUT]\n    Name dummy\n[OUTPUT]\n    Name es\n    Match *\n    Write_Operation upsert\n    Id_Key id\n'
  const loaded = await loadConfig('/cfg/es.conf', { text, env: {} })
  assert.deepEqual(
    checkConfig(loaded).filter((d) => d.severity === 'error'),
    [],
  )
})

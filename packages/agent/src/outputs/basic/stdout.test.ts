import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'

// Runs the stdout plugin in a child process and reads what it really wrote to its standard output.
function runStdout(options: Record<string, string>): string {
  const script = `
    import { startOutput } from './packages/agent/src/testing/plugin-harness.ts'
    import stdout from './packages/agent/src/outputs/basic/stdout.ts'
    const h = await startOutput(stdout, ${JSON.stringify(options)})
    const r = await h.flush([{ sec: 1795332600, nsec: 5, body: { log: 'hi', n: 2 } }], 'kube.var.log')
    if (r.kind !== 'ok') process.exit(3)
    await h.stop()
  `
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../../../../../', import.meta.url).pathname,
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

describe('stdout output writes to the process standard output', () => {
  it('prints Fluent Bit lines by default', () => {
    assert.equal(runStdout({}), '[0] kube.var.log: [[1795332600.000000005, {}], {"log"=>"hi", "n"=>2}]\n')
  })
  it('prints json_lines with json_date_format iso8601', () => {
    assert.equal(
      runStdout({ format: 'json_lines', json_date_format: 'iso8601' }),
      '{"date":"2026-11-22T07:30:00.000000Z","log":"hi","n":2}\n',
    )
  })
  it('json_date_key false leaves the date out', () => {
    assert.equal(runStdout({ format: 'json', json_date_key: 'false' }), '[{"log":"hi","n":2}]\n')
  })
})

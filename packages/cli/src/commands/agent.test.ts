import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const bin = resolve(fileURLToPath(import.meta.url), '../../../bin/sluice.js')

test('sluice agent: a config with errors prints every diagnostic and exits 1; bad usage exits 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-agent-cli-'))
  try {
    const conf = join(dir, 'bad.conf')
    await writeFile(
      conf,
      '[INPUT]\n    Name  dummy\n    Ratee 3\n\n[OUTPUT]\n    Name  nope\n    Match *\n\n[OUTPUT]\n    Name stdout\n    Match *\n    Retry_Limit often\n',
    )
    const r = spawnSync(process.execPath, [bin, 'agent', '-c', conf], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stderr, /bad\.conf:3: error: input:dummy:dummy\.0: unknown option 'Ratee' \(did you mean 'rate'\?\)/)
    assert.match(r.stderr, /bad\.conf:6: error: output: unknown output plugin 'nope'/)
    assert.match(r.stderr, /bad\.conf:12: error: output:stdout:stdout\.0: invalid value for 'retry_limit'/)
    assert.match(r.stderr, /cannot start with .*bad\.conf: fix the errors above/)

    const u = spawnSync(process.execPath, [bin, 'agent', '--log-level', 'loud', '-c', conf], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(u.status, 2)
    assert.match(u.stderr, /invalid --log-level 'loud'/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

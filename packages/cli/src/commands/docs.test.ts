// The generated docs (plugins reference, compatibility table) must match the option tables: a plugin
// or option added without `sluice docs` fails here.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url))

test('docs/plugins.md and docs/compatibility.md are up to date (run `sluice docs`)', () => {
  const r = spawnSync(process.execPath, [cli, 'docs', '--check'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /plugins\.md is up to date/)
  assert.match(r.stdout, /compatibility\.md is up to date/)
})

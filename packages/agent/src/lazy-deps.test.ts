import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

// Loads what `sluice agent` loads for a classic config (every plugin, the config loader) in a fresh
// process and lists the modules that were loaded: the heavy dependencies must not be among them.
test('the agent loads undici, wasmoon, the AWS SDK, YAML, node:sqlite and node:tls only when a plugin or config needs them', () => {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx) } })
    await import(${JSON.stringify(new URL('./registry.ts', import.meta.url).href)})
    await import(${JSON.stringify(new URL('./monitoring/server.ts', import.meta.url).href)})
    const { loadConfig } = await import(${JSON.stringify(new URL('../../core/src/config/load.ts', import.meta.url).href)})
    const c = await loadConfig('inline.conf', { text: '[INPUT]\\n    Name dummy\\n[OUTPUT]\\n    Name null\\n    Match *\\n' })
    if (c.inputs.length !== 1) throw new Error('config not loaded')
    const { loadUndici } = await import(${JSON.stringify(new URL('./lazy-deps.ts', import.meta.url).href)})
    const builtins = process.moduleLoadList.filter((m) => /undici|sqlite|\btls\b/.test(m))
    const before = seen.length
    await loadUndici()
    console.log(JSON.stringify({ seen: seen.slice(0, before), builtins, undiciLoads: seen.slice(before).some((u) => u.includes('/undici/')) }))
  `
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const { seen, builtins, undiciLoads } = JSON.parse(r.stdout) as {
    seen: string[]
    builtins: string[]
    undiciLoads: boolean
  }
  // Node's own bundled undici (loaded by an ESM import of node:http), node:sqlite (tail DB only), node:tls
  assert.deepEqual(builtins, [], 'built-in modules loaded at start-up that only some configs need')
  assert.ok(
    seen.some((u) => u.endsWith('/registry.ts')),
    'the hook saw the agent modules',
  )
  for (const heavy of ['/undici/', '/wasmoon/', '/@aws-sdk/', '/@smithy/signature-v4/', '/node_modules/yaml/'])
    assert.deepEqual(
      seen.filter((u) => u.includes(heavy)),
      [],
      `${heavy} is loaded at start-up`,
    )
  assert.equal(undiciLoads, true, 'loadUndici loads it on demand')
})

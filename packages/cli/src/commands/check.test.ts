import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, mock, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as check from './check.ts'
import * as docs from './docs.ts'
import * as plugins from './plugins.ts'

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'core', 'testdata')

/** Runs a command, capturing what it prints. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const log = mock.method(console, 'log', (...a: unknown[]) => out.push(a.join(' ')))
  const error = mock.method(console, 'error', (...a: unknown[]) => err.push(a.join(' ')))
  try {
    const code = await fn()
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    log.mock.restore()
    error.mock.restore()
  }
}

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-check-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sluice check', () => {
  test('--help', async () => {
    const r = await capture(() => check.run(['--help']))
    assert.equal(r.code, 0)
    assert.match(r.out, /^Usage: sluice check -c FILE \[--entry NAME\]/)
  })

  test('no file is a usage error (exit 2)', async () => {
    const r = await capture(() => check.run([]))
    assert.equal(r.code, 2)
    assert.match(r.err, /give one config file with -c FILE/)
  })

  test('errors print as file:line: severity: instance: message, then a summary; exit 1', async () => {
    const p = join(dir, 'bad.conf')
    await writeFile(p, '[INPUT]\n    Name no_such_plugin\n    Tag t\n[SERVICE]\n    Flush soon\n')
    const r = await capture(() => check.run(['-c', p]))
    assert.equal(r.code, 1)
    const lines = r.out.split('\n')
    assert.ok(
      lines.includes(`${p}:2: error: input:no_such_plugin:no_such_plugin.0: unknown input plugin 'no_such_plugin'`),
      r.out,
    )
    assert.ok(lines.includes(`${p}:5: error: service: invalid value for 'Flush': 'soon' is not a number`), r.out)
    assert.match(
      lines.at(-1)!,
      new RegExp(
        `^FAILED: ${p}: 2 error\\(s\\), \\d+ warning\\(s\\); 1 input\\(s\\), 0 filter\\(s\\), 0 output\\(s\\), 0 parser\\(s\\) in 1 file\\(s\\)$`,
      ),
    )
  })

  test('--json prints the diagnostics as data', async () => {
    const p = join(dir, 'json.conf')
    await writeFile(p, '[INPUT]\n    Name no_such_plugin\n')
    const r = await capture(() => check.run(['--json', '-c', p]))
    assert.equal(r.code, 1)
    const out = JSON.parse(r.out)
    assert.equal(out.entry, p)
    assert.deepEqual(out.files, [p])
    assert.equal(out.errors, 1)
    assert.deepEqual(out.diagnostics, [
      {
        severity: 'error',
        message: "unknown input plugin 'no_such_plugin'",
        instance: 'input:no_such_plugin:no_such_plugin.0',
        option: 'Name',
        file: p,
        line: 2,
      },
      { severity: 'warning', message: 'no [OUTPUT] section: every record read is discarded', file: p },
    ])
  })

  test('-c - reads the config from stdin (kubectl get cm … -o yaml | sluice check -c -)', async () => {
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.ts')
    const child = spawn(process.execPath, [main, 'check', '-c', '-'], { stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end('[INPUT]\n    Name dummy\n    Rate lots\n[OUTPUT]\n    Name stdout\n    Match *\n')
    let out = ''
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
    })
    const [code] = (await once(child, 'exit')) as [number]
    assert.equal(code, 1, out)
    assert.match(out, /^<stdin>:3: error: input:dummy:dummy\.0: invalid value for 'Rate': 'lots' is not an integer$/m)
    assert.match(out, /^FAILED: <stdin>: 1 error\(s\)/m)
  })

  test('a clean config exits 0; --entry picks a ConfigMap key', async () => {
    const p = join(dir, 'cm.yaml')
    await writeFile(
      p,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  main.conf: |\n    [SERVICE]\n        Flush 1\n',
    )
    const r = await capture(() => check.run(['-c', p, '--entry', 'main.conf']))
    assert.equal(r.code, 0, r.out)
    assert.equal(
      r.out,
      'configmap:x/main.conf: warning: no [INPUT] section: nothing is read\n' +
        'ok: configmap:x/main.conf: 0 error(s), 1 warning(s); 0 input(s), 0 filter(s), 0 output(s), 0 parser(s) in 1 file(s)',
    )
  })

  // The seeds are what users feed Sluice: with the real plugins, every option they use must be known.
  for (const [fixture, allowed] of [
    ['seed-000-configmap.yaml', []],
    ['seed-001-aws-logging.yaml', ['cloudwatch_logs']],
    ['seed-004-configmap.yaml', []],
    ['seed-004.yaml', []],
  ] as const) {
    test(`${fixture} passes with the real plugins (errors only for plugins Sluice lacks: ${allowed.join(', ') || 'none'})`, async () => {
      const r = await capture(() => check.run(['-q', '-c', join(testdata, fixture)]))
      const errors = r.out.split('\n').filter((l) => l.includes(': error: '))
      const unexpected = errors.filter((l) => !allowed.some((name) => l.endsWith(`unknown output plugin '${name}'`)))
      assert.deepEqual(unexpected, [])
      assert.match(r.out.split('\n').at(-1)!, /^(ok|FAILED): /)
    })
  }
})

describe('sluice plugins and sluice docs', () => {
  test('plugins --help, list, unknown name', async () => {
    assert.match((await capture(() => plugins.run(['--help']))).out, /^Usage: sluice plugins \[NAME\]/)
    const list = await capture(() => plugins.run([]))
    assert.equal(list.code, 0)
    assert.match(list.out, /^INPUTS \(\d+\)\n/)
    assert.match(list.out, /\nFILTERS \(\d+\)\n/)
    assert.match(list.out, /\nOUTPUTS \(\d+\)\n/)
    const none = await capture(() => plugins.run(['no_such_plugin_at_all']))
    assert.equal(none.code, 1)
    assert.match(none.err, /no plugin named 'no_such_plugin_at_all'/)
    assert.equal((await capture(() => plugins.run(['--kind', 'sideways']))).code, 2)
  })

  test('plugins NAME shows the option table of every registered plugin', async () => {
    const registry = await import('@sluice/agent/registry.ts')
    const p = registry.inputs[0] ?? registry.filters[0] ?? registry.outputs[0]
    if (!p) return // nothing registered yet: the list test above covers the command
    const r = await capture(() => plugins.run([p.name, '--kind', p.kind]))
    assert.equal(r.code, 0)
    assert.ok(r.out.startsWith(`${p.name} (${p.kind})\n\n${p.description}\n`), r.out)
    for (const opt of Object.keys(p.options)) assert.ok(r.out.includes(`| \`${opt}\` |`), opt)
    assert.ok(!r.out.includes('| `alias` |'), 'common options only with --common')
    const withCommon = await capture(() => plugins.run([p.name, '--kind', p.kind, '--common']))
    assert.ok(withCommon.out.includes(`Options every ${p.kind} accepts:`), withCommon.out)
    assert.ok(withCommon.out.includes('| `alias` |'))
  })

  test('docs writes every plugin and the common options; --check compares', async () => {
    const out = join(dir, 'plugins.md')
    assert.match((await capture(() => docs.run(['--help']))).out, /^Usage: sluice docs/)
    assert.equal((await capture(() => docs.run(['--check', '--out', out]))).code, 1)
    const w = await capture(() => docs.run(['--out', out]))
    assert.equal(w.code, 0)
    const text = await readFile(out, 'utf8')
    const registry = await import('@sluice/agent/registry.ts')
    for (const p of [...registry.inputs, ...registry.filters, ...registry.outputs]) {
      assert.ok(text.includes(`### ${p.name}\n\n${p.description}\n`), p.name)
    }
    for (const h of [
      '## Common input options',
      '## Common filter options',
      '## Common output options',
      '## Service options',
    ])
      assert.ok(text.includes(h), h)
    assert.ok(text.includes('| `retry_limit` | str | `1` |'))
    assert.equal((await capture(() => docs.run(['--check', '--out', out]))).code, 0)
  })
})

// End to end: `sluice check` as a process, with the real plugin registry, on every seed
// configuration fixture (packages/core/testdata/), and on broken copies of them: each broken value
// is reported with its file:line, the plugin instance and the option, and the exit status is 1.

import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { coreTestdata, exited, sluice, tempDir } from './helpers.ts'

async function check(args: string[]): Promise<{ code: number | string; lines: string[] }> {
  const p = sluice(['check', ...args])
  const code = await exited(p.child)
  return { code, lines: p.output().trimEnd().split('\n') }
}

const summary = (lines: string[]) => lines.at(-1)!

let dir: { path: string; remove(): Promise<void> }
before(async () => {
  dir = await tempDir('check')
})
after(async () => {
  await dir.remove()
})

/** A copy of a fixture in the temp dir with `edits` applied (each must change the text). */
async function brokenCopy(name: string, edits: [string | RegExp, string][], extra: string[] = []): Promise<string> {
  let text = await readFile(join(coreTestdata, name), 'utf8')
  for (const [from, to] of edits) {
    const next = text.replace(from, to)
    assert.notEqual(next, text, `edit ${from} applies to ${name}`)
    text = next
  }
  for (const f of extra) await writeFile(join(dir.path, f), await readFile(join(coreTestdata, f)))
  const p = join(dir.path, name)
  await writeFile(p, text)
  return p
}

describe('sluice check on the seed fixtures', () => {
  test('every seed fixture passes (exit 0, no error)', async () => {
    const files = (await readdir(coreTestdata)).filter((f) => /\.ya?ml$/.test(f))
    assert.deepEqual(files.sort(), [
      'seed-000-configmap.yaml',
      'seed-001-aws-logging.yaml',
      'seed-004-configmap.yaml',
      'seed-004-parsers.yaml',
      'seed-004.yaml',
    ])
    for (const f of files) {
      const r = await check(['-c', join(coreTestdata, f)])
      assert.equal(r.code, 0, `${f}:\n${r.lines.join('\n')}`)
      assert.match(summary(r.lines), /^ok: .*: 0 error\(s\), \d+ warning\(s\);/, f)
      assert.ok(!r.lines.some((l) => /: error: /.test(l)), f)
    }
  })

  test('the seed 004 ConfigMap: its pipeline as the post deploys it, and the dotted-label pitfall', async () => {
    const r = await check(['-c', join(coreTestdata, 'seed-004-configmap.yaml')])
    assert.equal(r.code, 0)
    assert.equal(
      summary(r.lines),
      'ok: configmap:fluent-bit-config/fluent-bit.conf: 0 error(s), 3 warning(s); 1 input(s), 2 filter(s), 1 output(s), 1 parser(s) in 2 file(s)',
    )
    assert.ok(
      r.lines.some((l) =>
        l.startsWith(
          'configmap:fluent-bit-config/fluent-bit.conf:39: warning: output:es:es.0: Replace_Dots Off while filter:kubernetes:kubernetes.0 adds Kubernetes labels',
        ),
      ),
      r.lines.join('\n'),
    )
  })

  test('seed 001 (EKS Fargate aws-logging): its cloudwatch_logs output passes, with the implied tail input', async () => {
    const r = await check(['-c', join(coreTestdata, 'seed-001-aws-logging.yaml')])
    assert.equal(r.code, 0, r.lines.join('\n'))
    assert.equal(
      summary(r.lines),
      'ok: configmap:aws-logging: 0 error(s), 1 warning(s); 1 input(s), 2 filter(s), 1 output(s), 1 parser(s) in 4 file(s)',
    )
    assert.match(r.lines[0]!, /output\.conf:1: warning: output:cloudwatch_logs:cloudwatch_logs\.0: Retry_Limit 1/)
  })

  test('broken seed 001: no log group, both stream options, a bad retention: each at its line', async () => {
    const p = await brokenCopy('seed-001-aws-logging.yaml', [
      ['        log_group_name foofoo\n', ''],
      [
        '        log_stream_prefix from-fluent-bit-\n',
        '        log_stream_prefix from-fluent-bit-\n        log_stream_name fixed\n',
      ],
      ['log_retention_days 60', 'log_retention_days sixty'],
    ])
    const r = await check(['-c', p])
    assert.equal(r.code, 1)
    assert.deepEqual(r.lines.filter((l) => / error: /.test(l)).sort(), [
      "configmap:aws-logging/output.conf:1: error: output:cloudwatch_logs:cloudwatch_logs.0: missing required option 'log_group_name'",
      "configmap:aws-logging/output.conf:7: error: output:cloudwatch_logs:cloudwatch_logs.0: invalid value for 'log_retention_days': 'sixty' is not an integer",
    ])
  })

  test('broken seed 004 ConfigMap: bad size, misspelt option, bad boolean, each at its line', async () => {
    const p = await brokenCopy('seed-004-configmap.yaml', [
      ['Mem_Buf_Limit     50MB', 'Mem_Buf_Limit     lots'],
      ['Merge_Log           On', 'Merge_Logg          On'],
      ['Replace_Dots    Off', 'Replace_Dots    maybe'],
    ])
    const r = await check(['-c', p])
    assert.equal(r.code, 1)
    assert.deepEqual(
      r.lines.filter((l) => / error: /.test(l)),
      [
        "configmap:fluent-bit-config/fluent-bit.conf:14: error: input:tail:tail.0: invalid value for 'Mem_Buf_Limit': 'lots' is not a size (examples: 512, 32k, 5MB, 1G)",
        "configmap:fluent-bit-config/fluent-bit.conf:20: error: filter:kubernetes:kubernetes.0: unknown option 'Merge_Logg' (did you mean 'merge_log'?)",
        "configmap:fluent-bit-config/fluent-bit.conf:39: error: output:es:es.0: invalid value for 'Replace_Dots': 'maybe' is not a boolean (use On/Off, true/false, yes/no)",
      ],
    )
    assert.match(summary(r.lines), /^FAILED: configmap:fluent-bit-config\/fluent-bit\.conf: 3 error\(s\), /)
  })

  test('broken seed 004 YAML: the line in the YAML file, the instance and the option', async () => {
    const p = await brokenCopy(
      'seed-004.yaml',
      [
        ['mem_buf_limit: 50MB', 'mem_buf_limit: lots'],
        ['parser: cri', 'parser: crii'],
        ['logstash_format: on', 'logstash_formt: on'],
      ],
      ['seed-004-parsers.yaml', 'ecs-enrichment.lua'],
    )
    const r = await check(['-c', p])
    assert.equal(r.code, 1)
    assert.deepEqual(r.lines.filter((l) => / error: /.test(l)).sort(), [
      `${p}:16: error: input:tail:tail.0: unknown parser 'crii' (did you mean 'cri'?): define it in a [PARSER] section of a Parsers_File`,
      `${p}:17: error: input:tail:tail.0: invalid value for 'mem_buf_limit': 'lots' is not a size (examples: 512, 32k, 5MB, 1G)`,
      `${p}:35: error: output:es:es.0: unknown option 'logstash_formt' (did you mean 'logstash_format'?)`,
    ])
  })

  test('broken seed 000 ConfigMap (unindented): errors point into the included file', async () => {
    const p = await brokenCopy('seed-000-configmap.yaml', [
      ['Parser docker', 'Parser dockerx'],
      [/^Port 8080$/m, 'Port eighty'],
    ])
    const r = await check(['-c', p])
    assert.equal(r.code, 1)
    assert.deepEqual(r.lines.filter((l) => / error: /.test(l)).sort(), [
      "configmap:fluent-bit-config/fluent-bit.conf:16: error: output:http:http.0: invalid value for 'Port': 'eighty' is not an integer",
      "configmap:fluent-bit-config/input-kubernetes.conf:6: error: input:tail:tail.0: unknown parser 'dockerx' (did you mean 'docker'?): define it in a [PARSER] section of a Parsers_File",
    ])
  })
})

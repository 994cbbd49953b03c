import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '@sluice/core/config/load.ts'
import { type Diagnostic, formatDiagnostic } from '@sluice/core/diagnostics.ts'
import { defineFilter, defineInput, defineOutput } from '../plugin.ts'
import { type CheckDeps, checkConfig } from './check.ts'
import { globsIntersect, inputTagGlobs } from './tag-glob.ts'

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'core', 'testdata')

// A fake registry: just enough option tables for the seeds, so these tests do not depend on which
// real plugins exist yet.
const noop = {
  init: () => undefined,
  start: () => undefined,
}
const tail = defineInput({
  name: 'tail',
  description: 'fake tail',
  options: {
    path: { type: 'str', required: true, description: 'p' },
    parser: { type: 'str', description: 'p' },
    'multiline.parser': { type: 'clist', description: 'p' },
    db: { type: 'str', description: 'p' },
    skip_long_lines: { type: 'bool', default: 'off', description: 'p' },
    refresh_interval: { type: 'time', default: '60', description: 'p' },
    read_from_head: { type: 'bool', default: 'off', description: 'p' },
    rotate_wait: { type: 'time', default: '5', description: 'p' },
    buffer_max_size: { type: 'size', default: '32k', description: 'p' },
  },
  ...noop,
})
const dummy = defineInput({ name: 'dummy', description: 'fake dummy', options: {}, ...noop })
const forward = defineInput({
  name: 'forward',
  description: 'fake forward',
  options: { tag_prefix: { type: 'str', description: 'p' } },
  ...noop,
})
const filterOf = (
  name: string,
  options: Record<string, { type: 'str' | 'bool' | 'time' | 'size'; multiple?: boolean }>,
) =>
  defineFilter({
    name,
    description: `fake ${name}`,
    options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, { ...v, description: 'x' }])),
    init: () => undefined,
    filter: (events) => events,
  })
const outputOf = (
  name: string,
  options: Record<string, { type: 'str' | 'bool' | 'int' | 'size'; values?: string[] }>,
) =>
  defineOutput({
    name,
    description: `fake ${name}`,
    options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, { ...v, description: 'x' }])),
    init: () => undefined,
    flush: async () => ({ kind: 'ok' }),
  })

const deps: CheckDeps = {
  inputs: [tail, dummy, forward],
  filters: [
    filterOf('kubernetes', {
      kube_url: { type: 'str' },
      kube_ca_file: { type: 'str' },
      kube_token_file: { type: 'str' },
      kube_tag_prefix: { type: 'str' },
      merge_log: { type: 'bool' },
      merge_log_key: { type: 'str' },
      'k8s-logging.parser': { type: 'bool' },
      'k8s-logging.exclude': { type: 'bool' },
      keep_log: { type: 'bool' },
      labels: { type: 'bool' },
      buffer_size: { type: 'size' },
      kube_meta_cache_ttl: { type: 'time' },
    }),
    filterOf('parser', { key_name: { type: 'str' }, parser: { type: 'str', multiple: true } }),
    filterOf('lua', { script: { type: 'str' }, call: { type: 'str' } }),
    filterOf('rewrite_tag', { rule: { type: 'str', multiple: true } }),
    filterOf('grep', { regex: { type: 'str', multiple: true } }),
  ],
  outputs: [
    outputOf('stdout', {}),
    outputOf('http', {
      host: { type: 'str' },
      port: { type: 'int' },
      format: { type: 'str', values: ['json', 'msgpack'] },
    }),
    outputOf('es', {
      host: { type: 'str' },
      logstash_format: { type: 'bool' },
      logstash_prefix: { type: 'str' },
      replace_dots: { type: 'bool' },
      buffer_size: { type: 'size' },
    }),
    outputOf('cloudwatch_logs', {
      region: { type: 'str' },
      log_group_name: { type: 'str' },
      log_stream_prefix: { type: 'str' },
      log_retention_days: { type: 'int' },
      auto_create_group: { type: 'bool' },
    }),
  ],
  parserNames: ['docker', 'cri', 'json'],
  multilineParserNames: ['docker', 'cri', 'java'],
}

const NO_DB =
  'no DB: file offsets live in memory only, so after a restart or an upgrade of the agent the lines written while it ' +
  'was down are skipped (new files are read from their end) — or, with Read_From_Head On, every file is read again. ' +
  'Set DB to a file on the node, e.g. `DB /var/log/flb_kube.db` as seeds 000 and 001 do'

function lines(ds: readonly Diagnostic[]): string[] {
  return ds.map(formatDiagnostic)
}

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-check-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function check(name: string, text: string) {
  const p = join(dir, name)
  await writeFile(p, text)
  return { p, ds: checkConfig(await loadConfig(p, { env: {} }), deps) }
}

describe('checkConfig on the seeds', () => {
  test('seed 000: Parser docker on container logs, Retry_Limit 1 on http', async () => {
    const loaded = await loadConfig(join(testdata, 'seed-000-configmap.yaml'), { env: {} })
    const ds = checkConfig(loaded, deps).slice(loaded.diagnostics.length)
    assert.deepEqual(lines(ds), [
      "configmap:fluent-bit-config/fluent-bit.conf:4: warning: service: option 'Daemon' is accepted but has no effect in Sluice: run Sluice under a supervisor (Kubernetes, systemd)",
      "configmap:fluent-bit-config/input-kubernetes.conf:6: warning: input:tail:tail.0: Parser docker on container logs: it reads Docker's JSON files, but containerd and CRI-O nodes (EKS, GKE, AKS, kubeadm since Kubernetes 1.24) write CRI lines (`2024-05-01T12:00:00.1Z stdout F text`), which it cannot parse: records keep the raw line and lose time, stream and JSON fields (seed 004, issue 2). Use `multiline.parser docker, cri` (handles both runtimes) or `Parser cri`",
      "configmap:fluent-bit-config/fluent-bit.conf:12: warning: output:http:http.0: Retry_Limit 1 (Fluent Bit's default): a batch that fails twice is dropped, so a restart or a few seconds of outage of http loses logs. Set Retry_Limit no_limits (or a count covering the outages you expect), with storage.type filesystem on the inputs to survive agent restarts",
    ])
    assert.equal(ds[1]!.option, 'Parser')
  })

  test('seed 001 (Fargate): clean apart from Retry_Limit on cloudwatch_logs', async () => {
    const loaded = await loadConfig(join(testdata, 'seed-001-aws-logging.yaml'), { env: {} })
    assert.deepEqual(lines(checkConfig(loaded, deps)), [
      "configmap:aws-logging/output.conf:1: warning: output:cloudwatch_logs:cloudwatch_logs.0: Retry_Limit 1 (Fluent Bit's default): a batch that fails twice is dropped, so a restart or a few seconds of outage of cloudwatch_logs loses logs. Set Retry_Limit no_limits (or a count covering the outages you expect), with storage.type filesystem on the inputs to survive agent restarts",
    ])
  })

  test('seed 004: Replace_Dots Off with kubernetes labels going to es', async () => {
    const loaded = await loadConfig(join(testdata, 'seed-004-configmap.yaml'), { env: {} })
    const ds = checkConfig(loaded, deps)
    assert.deepEqual(
      ds.map((d) => `${d.severity} ${d.instance} ${d.option} ${d.line} ${d.message.slice(0, 40)}`),
      [
        'warning input:tail:tail.0 Path 11 no DB: file offsets live in memory only,',
        "warning output:es:es.0 undefined 32 Retry_Limit 1 (Fluent Bit's default): a ",
        'warning output:es:es.0 Replace_Dots 39 Replace_Dots Off while filter:kubernetes',
      ],
    )
    assert.match(ds[2]!.message, /mapper_parsing_exception.*seed 004, issue 3/)
  })
})

describe('checkConfig reports every problem at once', () => {
  test('a broken copy of seed 000: file:line, instance and option for each', async () => {
    const { p, ds } = await check(
      'broken.conf',
      [
        '[SERVICE]', // 1
        '    Flush 1', // 2
        '    Log_Level loud', // 3
        '[INPUT]', // 4
        '    Name tail', // 5
        '    Tag kube.*', // 6
        '    Path /var/log/containers/*.log', // 7
        '    Parser cri  # containerd', // 8
        '    Skip_Long_Lines maybe', // 9
        '    Mem_Buf_Limit 5 apples', // 10
        '    Pathh /x', // 11
        '    multiline.parser docker, crio', // 12
        '[INPUT]', // 13
        '    Name tial', // 14
        '[FILTER]', // 15
        '    Name kubernetes', // 16
        '    Match app.*', // 17
        '    Merge_Log yes please', // 18
        '[OUTPUT]', // 19
        '    Name es', // 20
        '    Match kube.*', // 21
        '    Replace_Dots On', // 22
        '    Retry_Limit often', // 23
        '    storage.total_limit_size 1X', // 24
        '[OUTPUT]', // 25
        '    Name stdout', // 26
      ].join('\n'),
    )
    assert.deepEqual(lines(ds), [
      `${p}:8: warning: the value of 'Parser' contains '#': Fluent Bit has no inline comments, so the value is 'cri  # containerd'; put the comment on its own line`,
      `${p}:3: error: service: invalid value for 'Log_Level': 'loud' is not one of off, error, warn, warning, info, debug, trace`,
      `${p}:9: error: input:tail:tail.0: invalid value for 'Skip_Long_Lines': 'maybe' is not a boolean (use On/Off, true/false, yes/no)`,
      `${p}:11: error: input:tail:tail.0: unknown option 'Pathh' (did you mean 'path'?)`,
      `${p}:10: error: input:tail:tail.0: invalid value for 'Mem_Buf_Limit': '5 apples' is not a size (examples: 512, 32k, 5MB, 1G)`,
      `${p}:8: error: input:tail:tail.0: unknown parser 'cri  # containerd' (the '#…' is part of the value: Fluent Bit has no inline comments): define it in a [PARSER] section of a Parsers_File`,
      `${p}:12: error: input:tail:tail.0: unknown multiline parser 'crio' (did you mean 'cri'?): define it in a [MULTILINE_PARSER] section of a Parsers_File`,
      `${p}:14: error: input:tial:tial.0: unknown input plugin 'tial' (did you mean 'tail'?)`,
      `${p}:18: error: filter:kubernetes:kubernetes.0: invalid value for 'Merge_Log': 'yes please' is not a boolean (use On/Off, true/false, yes/no)`,
      `${p}:24: error: output:es:es.0: invalid value for 'storage.total_limit_size': '1X' is not a size (examples: 512, 32k, 5MB, 1G)`,
      `${p}:23: error: output:es:es.0: invalid value for 'Retry_Limit': 'often' is not a retry limit (a number, no_limits, False or no_retries)`,
      `${p}:25: warning: output:stdout:stdout.0: no Match or Match_Regex: this output receives no records (Fluent Bit unloads it)`,
      `${p}:17: warning: filter:kubernetes:kubernetes.0: Match 'app.*' can never see a record: the inputs produce tags 'kube.var.log.containers.*.log'`,
      `${p}:7: warning: input:tail:tail.0: ${NO_DB}`,
    ])
    const byOption = ds.find((d) => d.option === 'Pathh')!
    assert.equal(byOption.instance, 'input:tail:tail.0')
    assert.equal(byOption.line, 11)
  })

  test('an input whose records reach no output; rewrite_tag makes new tags reachable', async () => {
    const { p, ds } = await check(
      'routes.conf',
      [
        '[INPUT]', // 1
        '    Name dummy', // 2
        '    Tag app.web', // 3
        '[INPUT]', // 4
        '    Name dummy', // 5
        '[FILTER]', // 6
        '    Name rewrite_tag', // 7
        '    Match dummy.1', // 8
        '    Rule $level ^error$ errors.$TAG false', // 9
        '[OUTPUT]', // 10
        '    Name stdout', // 11
        '    Match errors.*', // 12
      ].join('\n'),
    )
    assert.deepEqual(lines(ds), [
      `${p}:3: warning: input:dummy:dummy.0: records of this input (tag 'app.web') reach no output: no output's Match covers them, so they are read and discarded`,
      `${p}:4: warning: input:dummy:dummy.1: records of this input (tag 'dummy.1') reach no output: no output's Match covers them, so they are read and discarded`,
    ])
  })

  test('a kubernetes filter whose Kube_Tag_Prefix starts none of its tags adds no metadata', async () => {
    const { p, ds } = await check(
      'kube-prefix.conf',
      [
        '[INPUT]', // 1
        '    Name tail', // 2
        '    Tag k8s.*', // 3
        '    Path /var/log/containers/*.log', // 4
        '[FILTER]', // 5
        '    Name kubernetes', // 6
        '    Match k8s.*', // 7
        '[FILTER]', // 8
        '    Name kubernetes', // 9
        '    Match k8s.*', // 10
        '    Kube_Tag_Prefix k8s.var.log.containers.', // 11
        '[OUTPUT]', // 12
        '    Name stdout', // 13
        '    Match *', // 14
      ].join('\n'),
    )
    assert.deepEqual(lines(ds), [
      `${p}:4: warning: input:tail:tail.0: ${NO_DB}`,
      `${p}:7: warning: filter:kubernetes:kubernetes.0: Kube_Tag_Prefix 'kube.var.log.containers.' (the default) starts none of the tags this filter sees ('k8s.var.log.containers.*.log'): it reads pod, namespace and container from the tag after that prefix, so it adds no Kubernetes metadata. Tail /var/log/containers/*.log with Tag kube.*, or set Kube_Tag_Prefix to the part of the tag before the file name`,
    ])
  })

  test('a Lua script that is neither on disk nor in the ConfigMap', async () => {
    await writeFile(join(dir, 'here.lua'), 'function f(tag, ts, r) return 0, ts, r end\n')
    const { p, ds } = await check(
      'lua.conf',
      [
        '[INPUT]', // 1
        '    Name dummy', // 2
        '[FILTER]', // 3
        '    Name lua', // 4
        '    Match *', // 5
        '    script here.lua', // 6
        '    call f', // 7
        '[FILTER]', // 8
        '    Name lua', // 9
        '    Match *', // 10
        '    script /fluent-bit/etc/missing.lua', // 11
        '    call f', // 12
        '[OUTPUT]', // 13
        '    Name stdout', // 14
        '    Match *', // 15
      ].join('\n'),
    )
    assert.deepEqual(lines(ds), [
      `${p}:11: warning: filter:lua:lua.1: script '/fluent-bit/etc/missing.lua' is not on this machine: the filter cannot start unless the file exists where the agent runs`,
    ])
  })

  test('inputs whose senders choose the tag (forward) reach any Match; tag_prefix narrows it', async () => {
    const { ds } = await check(
      'forward.conf',
      [
        '[INPUT]', // 1
        '    Name forward', // 2
        '[INPUT]', // 3
        '    Name forward', // 4
        '    Tag_Prefix fw.', // 5
        '[OUTPUT]', // 6
        '    Name stdout', // 7
        '    Match app.*', // 8
        '[OUTPUT]', // 9
        '    Name stdout', // 10
        '    Match fw.app.*', // 11
      ].join('\n'),
    )
    assert.deepEqual(lines(ds), [])
    const narrowed = await check(
      'forward2.conf',
      '[INPUT]\n    Name forward\n    Tag_Prefix fw.\n[OUTPUT]\n    Name stdout\n    Match app.*\n',
    )
    assert.deepEqual(lines(narrowed.ds), [
      `${narrowed.p}:6: warning: output:stdout:stdout.0: Match 'app.*' can never see a record: the inputs produce tags 'fw.*'`,
      `${narrowed.p}:1: warning: input:forward:forward.0: records of this input (tag 'fw.*') reach no output: no output's Match covers them, so they are read and discarded`,
    ])
  })

  test('a Mem_Buf_Limit too small for the Flush interval, with the numbers', async () => {
    const { p, ds } = await check(
      'membuf.conf',
      '[SERVICE]\n    Flush 5\n[INPUT]\n    Name dummy\n    Mem_Buf_Limit 512KB\n[OUTPUT]\n    Name stdout\n    Match *\n',
    )
    assert.deepEqual(lines(ds), [
      `${p}:5: warning: input:dummy:dummy.0: Mem_Buf_Limit 512.0 KiB with Flush 5s: the input pauses once 512.0 KiB are buffered and the buffer drains once per 5s flush, so it reads at most ~102.4 KiB/s (~8.4 GiB/day); a busy node writes more, the paused tail falls behind and loses rotated files. Raise Mem_Buf_Limit to at least 5.0 MiB or lower Flush`,
    ])
  })

  test('no Mem_Buf_Limit warning with filesystem buffering (chunks go to disk instead of pausing)', async () => {
    const { ds } = await check(
      'membuf-fs.conf',
      '[SERVICE]\n    Flush 5\n[INPUT]\n    Name dummy\n    Mem_Buf_Limit 512KB\n    storage.type filesystem\n[OUTPUT]\n    Name stdout\n    Match *\n',
    )
    assert.deepEqual(lines(ds), [])
  })

  test('missing Name; unknown output; Retry_Limit no_limits is fine; YAML processors are ignored with a warning', async () => {
    const p = join(dir, 'misc.yaml')
    await writeFile(
      p,
      [
        'pipeline:', // 1
        '  inputs:', // 2
        '    - tag: x', // 3
        '    - name: dummy', // 4
        '      processors:', // 5
        '        logs: []', // 6
        '  outputs:', // 7
        '    - name: es', // 8
        '      match: "*"', // 9
        '      retry_limit: no_limits', // 10
        '      replace_dots: on', // 11
        '    - name: kafkaa', // 12
        '      match: "*"', // 13
      ].join('\n'),
    )
    const ds = checkConfig(await loadConfig(p, { env: {} }), deps)
    assert.deepEqual(lines(ds), [
      `${p}:3: error: input:(unnamed):(unnamed).0: missing required option 'Name' (which input plugin)`,
      `${p}:4: warning: input:dummy:dummy.0: processors are not run by Sluice yet; they are ignored`,
      `${p}:12: error: output:kafkaa:kafkaa.0: unknown output plugin 'kafkaa'`,
    ])
  })
})

describe('tag reachability', () => {
  const cases: [string, string, boolean][] = [
    ['kube.*', 'kube.var.log.containers.*.log', true],
    ['kube.var.log.containers.hello*', 'kube.var.log.containers.*.log', true],
    ['app.*', 'kube.var.log.containers.*.log', false],
    ['*', 'anything', true],
    ['exact', 'exact', true],
    ['exact', 'exacT', false],
    ['a*c', 'ab*', true],
    ['*.log', 'kube.*', true],
    ['*.log', 'kube.x', false],
    ['', '', true],
  ]
  for (const [a, b, want] of cases) {
    test(`'${a}' and '${b}' ${want ? 'share' : 'share no'} tag`, () => {
      assert.equal(globsIntersect(a, b), want)
      assert.equal(globsIntersect(b, a), want)
    })
  }
  test('tail expands * in Tag with each Path; Tag_Regex captures become wildcards; default tag is the instance name', () => {
    assert.deepEqual(inputTagGlobs('tail', 'kube.*', 'tail.0', '/var/log/containers/*.log, /var/log/pods/x?.log'), [
      'kube.var.log.containers.*.log',
      'kube.var.log.pods.x*.log',
    ])
    assert.deepEqual(inputTagGlobs('tail', 'k8s.<namespace_name>.<pod_name>', 'tail.0', '/x'), ['k8s.*.*'])
    assert.deepEqual(inputTagGlobs('dummy', undefined, 'dummy.3'), ['dummy.3'])
  })
})

import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Diagnostic } from '../diagnostics.ts'
import { MAX_FILES_READ } from './collector.ts'
import { FARGATE_INPUT } from './fargate.ts'
import { loadConfig } from './load.ts'
import type { LoadedConfig, Section } from './model.ts'

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata')

/** `Key=Value` pairs of a section, in order. */
function kv(s: Section): string[] {
  return s.entries.map((e) => `${e.key}=${e.value}`)
}
function where(s: Section): string {
  return `${s.loc.file}:${s.loc.line}`
}
function diag(d: Diagnostic): string {
  return `${d.severity} ${d.file ?? ''}:${d.line ?? ''} ${d.message}`
}
function errors(c: LoadedConfig): Diagnostic[] {
  return c.diagnostics.filter((d) => d.severity === 'error')
}

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-config-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function write(name: string, text: string): Promise<string> {
  const p = join(dir, name)
  await mkdir(dirname(p), { recursive: true })
  await writeFile(p, text)
  return p
}

describe('seed configs', () => {
  test('seed 000: the unindented ConfigMap loads, with one warning per file', async () => {
    const c = await loadConfig(join(testdata, 'seed-000-configmap.yaml'), { env: {} })
    const cm = 'configmap:fluent-bit-config'
    assert.equal(c.entry, `${cm}/fluent-bit.conf`)
    assert.deepEqual(c.files, [
      `${cm}/fluent-bit.conf`,
      `${cm}/input-kubernetes.conf`,
      `${cm}/filter-kubernetes.conf`,
      `${cm}/parsers.conf`,
    ])
    assert.deepEqual(errors(c), [])
    const warnings = c.diagnostics.map((d) => `${d.file}:${d.line}`)
    assert.equal(warnings.length, 5)
    assert.match(c.diagnostics[0]!.message, /not valid YAML.*recovered 4 data keys/)
    for (const f of c.files) assert.ok(warnings.includes(`${f}:2`), `one indentation warning for ${f}`)

    assert.equal(c.service.length, 1)
    assert.deepEqual(kv(c.service[0]!), [
      'Flush=1',
      'Log_Level=info',
      'Daemon=off',
      'Parsers_File=parsers.conf',
      'HTTP_Server=On',
      'HTTP_Listen=0.0.0.0',
      'HTTP_Port=2020',
    ])
    assert.deepEqual(c.inputs.map(where), [`${cm}/input-kubernetes.conf:1`])
    assert.deepEqual(kv(c.inputs[0]!), [
      'Name=tail',
      'Tag=kube.*',
      'Path=/var/log/containers/hello*.log',
      'Parser=docker',
      'DB=/var/log/flb_kube.db',
      'Mem_Buf_Limit=5MB',
      'Skip_Long_Lines=On',
      'Refresh_Interval=10',
    ])
    assert.equal(c.inputs[0]!.entries[2]!.loc?.line, 5, 'the commented-out Path line is skipped')
    assert.deepEqual(kv(c.filters[0]!), [
      'Name=kubernetes',
      'Match=kube.*',
      'Kube_URL=https://kubernetes.default.svc:443',
      'Kube_CA_File=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      'Kube_Token_File=/var/run/secrets/kubernetes.io/serviceaccount/token',
      'Kube_Tag_Prefix=kube.var.log.containers.',
      'Merge_Log=On',
      'Merge_Log_Key=log_processed',
      'K8S-Logging.Parser=On',
      'K8S-Logging.Exclude=Off',
    ])
    assert.deepEqual(c.outputs.map(where), [`${cm}/fluent-bit.conf:9`, `${cm}/fluent-bit.conf:12`])
    assert.deepEqual(kv(c.outputs[1]!), ['Name=http', 'Match=*', 'Host=amazonaws.com', 'Port=8080', 'Format=json'])
    assert.deepEqual(
      c.parsers.map((p) => p.entries[0]!.value),
      ['apache', 'apache2', 'apache_error', 'nginx', 'json', 'docker', 'cri', 'syslog'],
    )
    assert.deepEqual(kv(c.parsers[6]!), [
      'Name=cri',
      'Format=regex',
      'Regex=^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$',
      'Time_Key=time',
      'Time_Format=%Y-%m-%dT%H:%M:%S.%L%z',
    ])
    assert.deepEqual(
      [...c.virtualFiles.keys()],
      ['fluent-bit.conf', 'input-kubernetes.conf', 'filter-kubernetes.conf', 'parsers.conf'],
    )
  })

  test('seed 001: the Fargate aws-logging ConfigMap runs behind the implied tail input', async () => {
    const c = await loadConfig(join(testdata, 'seed-001-aws-logging.yaml'), { env: {} })
    assert.equal(c.entry, 'configmap:aws-logging')
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(c.service, [])
    assert.deepEqual(c.inputs.map(where), ['fargate:input.conf:1'])
    assert.deepEqual(kv(c.inputs[0]!), [
      'Name=tail',
      'Buffer_Max_Size=66KB',
      'DB=/var/log/flb_kube.db',
      'Mem_Buf_Limit=45MB',
      'Path=/var/log/containers/*.log',
      'Read_From_Head=On',
      'Refresh_Interval=10',
      'Rotate_Wait=30',
      'Skip_Long_Lines=On',
      'Tag=kube.*',
    ])
    assert.deepEqual(c.filters.map(where), [
      'configmap:aws-logging/filters.conf:1',
      'configmap:aws-logging/filters.conf:6',
    ])
    assert.deepEqual(kv(c.filters[0]!), ['Name=parser', 'Match=*', 'Key_name=log', 'Parser=crio'])
    assert.deepEqual(kv(c.filters[1]!), [
      'Name=kubernetes',
      'Match=kube.*',
      'Merge_Log=On',
      'Keep_Log=Off',
      'Buffer_Size=0',
      'Kube_Meta_Cache_TTL=300s',
    ])
    assert.deepEqual(kv(c.outputs[0]!), [
      'Name=cloudwatch_logs',
      'Match=kube.*',
      'region=ap-northeast-2',
      'log_group_name=foofoo',
      'log_stream_prefix=from-fluent-bit-',
      'log_retention_days=60',
      'auto_create_group=true',
    ])
    assert.deepEqual(c.parsers.map(where), ['configmap:aws-logging/parsers.conf:1'])
    assert.equal(c.parsers[0]!.entries[2]!.value, '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>P|F) (?<log>.*)$')
    assert.equal(c.virtualFiles.get('flb_log_cw'), 'true')
  })

  test('docs/configuration.md shows the Fargate input Sluice uses', async () => {
    const doc = await readFile(join(testdata, '..', '..', '..', 'docs', 'configuration.md'), 'utf8')
    assert.ok(doc.includes(`\`\`\`\n${FARGATE_INPUT}\`\`\``), 'the block in "EKS Fargate" is FARGATE_INPUT')
  })

  test('seed 004: the reconstructed ConfigMap and its YAML equivalent load the same pipeline', async () => {
    const classic = await loadConfig(join(testdata, 'seed-004-configmap.yaml'), { env: {} })
    const yaml = await loadConfig(join(testdata, 'seed-004.yaml'), { env: {} })
    assert.deepEqual(classic.diagnostics, [])
    assert.deepEqual(yaml.diagnostics, [])
    const cm = 'configmap:fluent-bit-config/fluent-bit.conf'
    assert.deepEqual([...classic.inputs, ...classic.filters, ...classic.outputs].map(where), [
      `${cm}:8`,
      `${cm}:16`,
      `${cm}:26`,
      `${cm}:32`,
    ])
    assert.deepEqual(kv(classic.inputs[0]!), [
      'Name=tail',
      'Tag=kube.*',
      'Path=/var/log/containers/*.log',
      'Parser=cri',
      'Mem_Buf_Limit=50MB',
    ])
    assert.deepEqual(kv(classic.outputs[0]!), [
      'Name=es',
      'Match=kube.*',
      'Host=eco2-logs-es-http.logging.svc.cluster.local',
      'Logstash_Format=On',
      'Logstash_Prefix=logs',
      'Replace_Dots=Off',
      'Buffer_Size=5MB',
    ])
    assert.match(
      classic.virtualFiles.get('ecs-enrichment.lua')!,
      /^function enrich_with_ecs_fields\(tag, timestamp, record\)\n/,
    )
    const lower = (c: LoadedConfig) =>
      [...c.service, ...c.inputs, ...c.filters, ...c.outputs, ...c.parsers].map((s) =>
        kv(s)
          .map((x) => x.toLowerCase())
          .filter((x) => !x.startsWith('parsers_file=') && !x.startsWith('script=')),
      )
    assert.deepEqual(lower(yaml), lower(classic))
    const y = yaml.outputs[0]!
    assert.equal(where(y), `${join(testdata, 'seed-004.yaml')}:32`)
    assert.deepEqual(
      y.entries.map((e) => e.loc?.line),
      [32, 33, 34, 35, 36, 37, 38],
    )
    assert.deepEqual(yaml.files, [join(testdata, 'seed-004.yaml'), join(testdata, 'seed-004-parsers.yaml')])
  })
})

describe('classic format', () => {
  test('case-insensitive section names, repeated keys kept in order, comments skipped', async () => {
    const p = await write(
      'case/main.conf',
      '# top comment\n[service]\n    flush 2\n[Filter]\n    Name modify\n    # a comment\n    Match *\n    Add a 1\n    Add b 2\n    Add a 3\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(kv(c.service[0]!), ['flush=2'])
    assert.deepEqual(kv(c.filters[0]!), ['Name=modify', 'Match=*', 'Add=a 1', 'Add=b 2', 'Add=a 3'])
    assert.deepEqual(
      c.filters[0]!.entries.map((e) => e.loc?.line),
      [5, 7, 8, 9, 10],
    )
  })

  test('@INCLUDE with a glob, relative to the including file, in sorted order', async () => {
    await write('inc/conf.d/b.conf', '[OUTPUT]\n    Name null\n    Match b\n')
    await write('inc/conf.d/a.conf', '[OUTPUT]\n    Name null\n    Match a\n')
    await write('inc/conf.d/skip.txt', '[OUTPUT]\n    Name null\n    Match x\n')
    await write('inc/sub/inputs.conf', '[INPUT]\n    Name dummy\n@INCLUDE ../conf.d/*.conf\n')
    const p = await write('inc/main.conf', '[SERVICE]\n    Flush 1\n@INCLUDE sub/inputs.conf\n')
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(c.files, [
      p,
      join(dir, 'inc/sub/inputs.conf'),
      join(dir, 'inc/conf.d/a.conf'),
      join(dir, 'inc/conf.d/b.conf'),
    ])
    assert.deepEqual(
      c.outputs.map((s) => s.entries[1]!.value),
      ['a', 'b'],
    )
    assert.equal(where(c.outputs[1]!), `${join(dir, 'inc/conf.d/b.conf')}:1`)
  })

  test('an include loop is reported once and not followed', async () => {
    const a = await write('loop/a.conf', '[INPUT]\n    Name dummy\n@INCLUDE b.conf\n')
    await write('loop/b.conf', '[OUTPUT]\n    Name null\n    Match *\n@INCLUDE a.conf\n')
    const c = await loadConfig(a, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${join(dir, 'loop/b.conf')}:4 include loop: ${a} → ${join(dir, 'loop/b.conf')} → ${a}; not followed`,
    ])
    assert.equal(c.inputs.length, 1)
    assert.equal(c.outputs.length, 1)
  })

  test('files that all include each other by glob: loops skipped, total work bounded', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
      await write(`fan/${n}.conf`, `[INPUT]\n    Name dummy\n    Tag ${n}\n@INCLUDE *.conf\n`)
    const c = await loadConfig(join(dir, 'fan/a.conf'), { env: {} })
    assert.ok(c.files.length <= MAX_FILES_READ, String(c.files.length))
    assert.ok(
      c.diagnostics.some((d) => d.message.startsWith(`more than ${MAX_FILES_READ} files read through includes`)),
    )
    assert.ok(c.diagnostics.every((d) => d.severity === 'error' && d.line === 4))
    // Each include line reports each looping target once, not once per path through the files.
    assert.ok(c.diagnostics.length <= 7 * 7 + 7, String(c.diagnostics.length))
  })

  test('missing include and a glob matching nothing', async () => {
    const p = await write('missing/main.conf', '@INCLUDE nope.conf\n@INCLUDE conf.d/*.conf\n[INPUT]\n    Name dummy\n')
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${p}:1 cannot include 'nope.conf': no such file`,
      `warning ${p}:2 @INCLUDE conf.d/*.conf matches no file`,
    ])
  })

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
  test('${VAR}, ${VAR:-default} and @SET: environment first, then @SET', async () => {
    const p = await write(
      'vars/main.conf',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
      '@SET host=from-set\n@SET port=1234\n[OUTPUT]\n    Name http\n    Match *\n    Host ${host}\n    Port ${port}\n    URI ${URI:-/default}\n    Header ${MISSING}\n',
    )
    const c = await loadConfig(p, { env: { port: '9999' } })
    assert.deepEqual(kv(c.outputs[0]!), [
      'Name=http',
      'Match=*',
      'Host=from-set',
      'Port=9999',
      'URI=/default',
      'Header=',
    ])
    assert.deepEqual(c.diagnostics.map(diag), [
      `warning ${p}:9 variable 'MISSING' is not set (neither in the environment nor by @SET/env); '\${MISSING}' becomes empty`,
    ])
  })

  test('Parsers_File relative to the main config, repeated; multiline rules split', async () => {
    await write('parsers/etc/a.conf', '[PARSER]\n    Name a\n    Format json\n')
    await write(
      'parsers/etc/ml.conf',
      '[MULTILINE_PARSER]\n    name multiline-regex-test\n    type regex\n    flush_timeout 1000\n' +
        '    rule      "start_state"   "/([a-zA-Z]+ \\d+ \\d+\\:\\d+\\:\\d+)(.*)/"  "cont"\n' +
        '    rule      "cont"          "/^\\s+at.*/"                     "cont"\n',
    )
    await write('parsers/conf/inputs.conf', '[INPUT]\n    Name dummy\n')
    const p = await write(
      'parsers/main.conf',
      '[SERVICE]\n    Parsers_File etc/a.conf\n    Parsers_File etc/ml.conf\n@INCLUDE conf/inputs.conf\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(
      c.parsers.map((s) => s.entries[0]!.value),
      ['a'],
    )
    const ml = c.multilineParsers[0]!
    assert.deepEqual(kv(ml), ['name=multiline-regex-test', 'type=regex', 'flush_timeout=1000'])
    assert.deepEqual(
      ml.rules?.map((r) => [r.state, r.regex, r.next, r.loc?.line]),
      [
        ['start_state', '/([a-zA-Z]+ \\d+ \\d+\\:\\d+\\:\\d+)(.*)/', 'cont', 5],
        ['cont', '/^\\s+at.*/', 'cont', 6],
      ],
    )
  })

  test('a broken copy reports every problem with file:line', async () => {
    const p = await write(
      'broken/main.conf',
      [
        'Flush 1', // 1: before any section
        '[SERVICE]', // 2
        '    Flush 1', // 3
        '      Log_Level info', // 4: inconsistent indentation
        '[INPUTS]', // 5: unknown section
        '    Name tail', // 6: ignored with the section
        '[INPUT]', // 7
        '    Name tail', // 8
        '    Path', // 9: no value
        '    Parser cri  # containerd', // 10: inline comment
        '@INCLUDE', // 11: no file
        '@SETX a=b', // 12: unknown directive
        '[MULTILINE_PARSER]', // 13
        '    name x', // 14
        '    rule "a" "/b/"', // 15: two parts
        '[OUTPUT', // 16: malformed header
        '[CUSTOM]', // 17: a Fluent Bit section Sluice does not run
        '    Name calyptia', // 18
      ].join('\n'),
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${p}:1 'Flush 1' is outside any section (a key must follow a [SECTION] header)`,
      `error ${p}:4 invalid indentation: extra indentation level (6 spaces here, 4 spaces at line 3; Fluent Bit requires the same indentation for every key of a file)`,
      `error ${p}:5 unknown section [INPUTS] (did you mean [INPUT]?); its keys are ignored`,
      `error ${p}:9 key 'Path' has no value`,
      `warning ${p}:10 the value of 'Parser' contains '#': Fluent Bit has no inline comments, so the value is 'cri  # containerd'; put the comment on its own line`,
      `error ${p}:11 @INCLUDE needs a file name or glob`,
      `error ${p}:12 unknown directive '@SETX' (Fluent Bit knows @INCLUDE and @SET)`,
      `error ${p}:15 rule needs three double-quoted parts: "state" "/regex/" "next_state"; found "a" "/b/"`,
      `error ${p}:16 malformed section header '[OUTPUT' (expected [NAME])`,
      `warning ${p}:17 [CUSTOM] is ignored: custom plugins (Fluent Bit [CUSTOM], e.g. calyptia) are not supported by Sluice`,
    ])
    assert.equal(c.diagnostics[3]!.option, 'Path')
    assert.equal(c.inputs.length, 1, 'the unknown [INPUTS] section is not an input')
  })

  test('indentation is per file, as Fluent Bit checks it: too low, extra, tabs for spaces', async () => {
    const p = await write(
      'indent/main.conf',
      '[INPUT]\n    Name dummy\n[OUTPUT]\n  Name null\n\t\t\t\tMatch *\n      Retry_Limit 2\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${p}:4 invalid indentation: indentation level is too low (2 spaces here, 4 spaces at line 2; Fluent Bit requires the same indentation for every key of a file)`,
      `error ${p}:5 invalid indentation: inconsistent use of tabs and spaces (4 tabs here, 4 spaces at line 2; Fluent Bit requires the same indentation for every key of a file)`,
      `error ${p}:6 invalid indentation: extra indentation level (6 spaces here, 4 spaces at line 2; Fluent Bit requires the same indentation for every key of a file)`,
    ])
    assert.deepEqual(kv(c.outputs[0]!), ['Name=null', 'Match=*', 'Retry_Limit=2'], 'the keys are still read')
  })

  test('text given instead of a file (stdin): named by path, relative includes from its directory', async () => {
    await write('stdin/inc.conf', '[OUTPUT]\n    Name null\n    Match *\n')
    const c = await loadConfig(join(dir, 'stdin', '<stdin>'), {
      env: {},
      text: '[INPUT]\n    Name dummy\n@INCLUDE inc.conf\n    Bad\n',
    })
    assert.deepEqual(c.files, [join(dir, 'stdin', '<stdin>'), join(dir, 'stdin', 'inc.conf')])
    assert.equal(c.outputs.length, 1)
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${join(dir, 'stdin', '<stdin>')}:4 'Bad' is outside any section (a key must follow a [SECTION] header)`,
    ])
  })

  test('a missing config file is a diagnostic, not a crash', async () => {
    const c = await loadConfig(join(dir, 'does-not-exist.conf'), { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [`error ${join(dir, 'does-not-exist.conf')}: cannot read config: ENOENT`])
  })

  test('format by content when the file has no extension', async () => {
    const classic = await loadConfig(await write('noext/classic', '[INPUT]\n    Name dummy\n'), { env: {} })
    const yaml = await loadConfig(await write('noext/yaml', 'pipeline:\n  inputs:\n    - name: dummy\n'), { env: {} })
    assert.deepEqual(kv(classic.inputs[0]!), ['Name=dummy'])
    assert.deepEqual(kv(yaml.inputs[0]!), ['name=dummy'])
  })
})

describe('YAML format', () => {
  test('env, includes, lists of scalars repeat a key, nested maps flatten, rules, processors', async () => {
    await write('y/inc/outputs.yaml', 'pipeline:\n  outputs:\n    - name: stdout\n      match: "*"\n')
    const p = await write(
      'y/main.yaml',
      [
        'env:', // 1
        '  CLUSTER: prod', // 2
        'includes:', // 3
        '  - inc/*.yaml', // 4
        'service:', // 5
        '  flush: 1.50', // 6
        'pipeline:', // 7
        '  inputs:', // 8
        '    - name: dummy', // 9
        '      tag: app', // 10
        '      storage:', // 11
        '        type: filesystem', // 12
        '      processors:', // 13
        '        logs:', // 14
        '          - name: content_modifier', // 15
        '  filters:', // 16
        '    - name: modify', // 17
        '      match: app', // 18
        '      add:', // 19
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
        '        - cluster ${CLUSTER}', // 20
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
        '        - env ${ENV:-dev}', // 21
        'multiline_parsers:', // 22
        '  - name: ml', // 23
        '    type: regex', // 24
        '    rules:', // 25
        '      - state: start_state', // 26
        "        regex: '/^\\d/'", // 27
        '        next_state: cont', // 28
      ].join('\n'),
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(kv(c.service[0]!), ['flush=1.50'])
    assert.deepEqual(kv(c.inputs[0]!), ['name=dummy', 'tag=app', 'storage.type=filesystem'])
    assert.deepEqual(c.inputs[0]!.processors, { logs: [{ name: 'content_modifier' }] })
    assert.deepEqual(kv(c.filters[0]!), ['name=modify', 'match=app', 'add=cluster prod', 'add=env dev'])
    assert.deepEqual(
      c.filters[0]!.entries.map((e) => e.loc?.line),
      [17, 18, 20, 21],
    )
    assert.deepEqual(kv(c.outputs[0]!), ['name=stdout', 'match=*'])
    assert.equal(where(c.outputs[0]!), `${join(dir, 'y/inc/outputs.yaml')}:3`)
    assert.deepEqual(
      c.multilineParsers[0]!.rules?.map((r) => [r.state, r.regex, r.next, r.loc?.line]),
      [['start_state', '/^\\d/', 'cont', 26]],
    )
  })

  test('YAML anchors and aliases are resolved', async () => {
    const p = await write(
      'yalias/main.yaml',
      'pipeline:\n  outputs:\n    - name: es\n      match: &m kube.*\n      host: &h es.local\n    - name: http\n      match: *m\n      host: *h\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(kv(c.outputs[1]!), ['name=http', 'match=kube.*', 'host=es.local'])
  })

  test('YAML errors and unknown keys are diagnostics with lines', async () => {
    const p = await write(
      'ybad/main.yaml',
      'servce:\n  flush: 1\npipeline:\n  input:\n    - name: dummy\n  outputs:\n    - name:\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `error ${p}:1 unknown top-level key 'servce' (did you mean 'service'?) (expected one of env, includes, service, pipeline, parsers, multiline_parsers, plugins, upstream_servers)`,
      `error ${p}:4 unknown pipeline key 'input' (did you mean 'inputs'?) (expected inputs, filters, outputs)`,
      `error ${p}:7 key 'name' has no value`,
    ])
    const bad = await write('ybad/syntax.yaml', 'service:\n  flush: [1\n')
    const d = await loadConfig(bad, { env: {} })
    assert.equal(d.diagnostics.length > 0, true)
    assert.match(diag(d.diagnostics[0]!), new RegExp(`^error ${bad}:\\d+ invalid YAML: `))
  })
})

describe('ConfigMap manifests', () => {
  test('multi-document: the ConfigMap with the entry key is picked; includes resolve against data keys', async () => {
    const p = await write(
      'cm/all.yaml',
      [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: logging',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: other',
        'data:',
        '  app.properties: "x=1"',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: fb',
        'data:',
        '  fluent-bit.conf: |',
        '    [SERVICE]',
        '        Parsers_File /fluent-bit/etc/parsers.conf',
        '    @INCLUDE in-*.conf',
        '  in-a.conf: |',
        '    [INPUT]',
        '        Name dummy',
        '        Tag a',
        '  parsers.conf: |',
        '    [PARSER]',
        '        Name p',
        '        Format json',
        '        Broken',
      ].join('\n'),
    )
    const c = await loadConfig(p, { env: {} })
    assert.equal(c.entry, 'configmap:fb/fluent-bit.conf')
    assert.deepEqual(c.files, ['configmap:fb/fluent-bit.conf', 'configmap:fb/in-a.conf', 'configmap:fb/parsers.conf'])
    assert.deepEqual(kv(c.inputs[0]!), ['Name=dummy', 'Tag=a'])
    assert.deepEqual(c.diagnostics.map(diag), ["error configmap:fb/parsers.conf:4 key 'Broken' has no value"])
    assert.equal(c.baseDir, join(dir, 'cm'))
  })

  test('kubectl get cm -o yaml output: a kind: List of ConfigMaps, data as quoted strings', async () => {
    const p = await write(
      'cm-list/list.yaml',
      [
        'apiVersion: v1',
        'items:',
        '- apiVersion: v1',
        '  data:',
        '    fluent-bit.conf: "[INPUT]\\n    Name dummy\\n    Tag t\\n[OUTPUT]\\n    Name stdout\\n    Match t\\n"',
        '  kind: ConfigMap',
        '  metadata:',
        '    name: fb',
        '    namespace: logging',
        'kind: List',
        'metadata:',
        '  resourceVersion: ""',
      ].join('\n'),
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics, [])
    assert.equal(c.entry, 'configmap:fb/fluent-bit.conf')
    assert.deepEqual(kv(c.inputs[0]!), ['Name=dummy', 'Tag=t'])
    assert.deepEqual(c.outputs.map(where), ['configmap:fb/fluent-bit.conf:4'])
  })

  test('--entry names another data key; a missing entry key lists what exists', async () => {
    const p = await write(
      'cm2/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  agent.yaml: |\n    pipeline:\n      inputs:\n        - name: dummy\n',
    )
    const c = await loadConfig(p, { env: {}, entry: 'agent.yaml' })
    assert.deepEqual(c.diagnostics, [])
    assert.deepEqual(kv(c.inputs[0]!), ['name=dummy'])
    const none = await loadConfig(p, { env: {} })
    assert.deepEqual(none.diagnostics.map(diag), [
      `error ${p}:1 no ConfigMap has a data key fluent-bit.conf or fluent-bit.yaml or fluent-bit.yml (found: x: agent.yaml); name the entry key with --entry`,
    ])
  })

  test('seed 001 with its indentation lost loads the same as the original', async () => {
    const original = await readFile(join(testdata, 'seed-001-aws-logging.yaml'), 'utf8')
    const flat = original
      .split('\n')
      .map((l) => l.trimStart())
      .join('\n')
      .replace('flb_log_cw: "true"', 'flb_log_cw: true')
    const p = await write('fargate-flat/cm.yaml', flat)
    const a = await loadConfig(join(testdata, 'seed-001-aws-logging.yaml'), { env: {} })
    const b = await loadConfig(p, { env: {} })
    const shape = (c: LoadedConfig) => [
      c.entry,
      c.files,
      ...[c.inputs, c.filters, c.outputs, c.parsers].map((l) => l.map(kv)),
    ]
    assert.deepEqual(shape(b), shape(a))
    assert.equal(b.virtualFiles.get('flb_log_cw'), 'true')
    assert.match(b.diagnostics[0]!.message, /not valid YAML.*recovered 4 data keys/)
    assert.equal(b.diagnostics.filter((d) => d.severity === 'error').length, 0)
  })

  test('Fargate: sections other than [FILTER]/[OUTPUT] and a missing output.conf are errors', async () => {
    const p = await write(
      'fargate/cm.yaml',
      'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: aws-logging\ndata:\n  filters.conf: |\n    [INPUT]\n        Name dummy\n  extra.conf: "x"\n',
    )
    const c = await loadConfig(p, { env: {} })
    assert.deepEqual(c.diagnostics.map(diag), [
      `warning ${p}:1 data key 'extra.conf' is ignored by the EKS Fargate log router (it reads filters.conf, output.conf, parsers.conf, flb_log_cw)`,
      `error configmap:aws-logging/filters.conf:1 [INPUT] is not allowed in filters.conf: the Fargate log router only takes [FILTER] sections there`,
      `error ${p}:1 the aws-logging ConfigMap has no output.conf: the Fargate log router has nowhere to send logs`,
    ])
  })
})

// Regression (found by scripts/fuzz/config.test.ts): a line with `@` and no directive name threw a
// TypeError out of the loader instead of becoming a diagnostic.
test('a bare @ line is a diagnostic with its line, not a crash', async () => {
  const c = await loadConfig('/tmp/bare-at.conf', { text: '[SERVICE]\n    Flush 1\n@\n  @ x\n' })
  const errors = c.diagnostics.filter((d) => d.severity === 'error')
  assert.deepEqual(
    errors.map((d) => [d.line, d.message]),
    [
      [3, "'@' is not a directive (Fluent Bit knows @INCLUDE and @SET)"],
      [4, "'@ x' is not a directive (Fluent Bit knows @INCLUDE and @SET)"],
    ],
  )
})

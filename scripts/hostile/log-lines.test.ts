// Hostile log lines through the whole path, as users run it: a `sluice agent` child process tails a
// CRI file (cri parser, then the json parser on the message) and ships with the es output to a real
// server. Between well-formed lines the file holds invalid UTF-8, NUL bytes, a 10 MB line, JSON
// nested 10,000 deep, huge numbers, keys with dots, `$` and empty names, CRI lines missing fields, and
// timestamps far in the future and the past. Every good line must arrive; each hostile one is either
// stored or rejected with a count (agent metrics, server metrics, dead-letter files); both processes
// stay up.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { postJson, testServer } from '../../packages/server/src/testing.ts'

const repo = resolve(fileURLToPath(import.meta.url), '../../..')
const bin = join(repo, 'packages/cli/bin/sluice.js')
const T = '2026-11-22T08:00:00.000000000Z'

function metricSum(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith(name) && /[\s{]/.test(line[name.length] ?? ''))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

test('hostile log lines: every good line arrives, hostile ones are stored or counted, nothing crashes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-hostile-lines-'))
  const server = await testServer()
  let agent: ChildProcess | undefined
  let log = ''
  try {
    const state = join(dir, 'state')
    await mkdir(state)
    const good = (i: number) => Buffer.from(`${T} stdout F {"good":${i},"msg":"fine line ${i}"}\n`)
    const hostile: Array<[string, Buffer]> = [
      [
        'invalid UTF-8',
        Buffer.concat([
          Buffer.from(`${T} stdout F bad utf8 `),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
          Buffer.from(' end\n'),
        ]),
      ],
      ['NUL bytes', Buffer.from(`${T} stdout F nul\u0000in\u0000the middle\n`)],
      ['10 MB line', Buffer.from(`${T} stdout F ${'y'.repeat(10 << 20)}\n`)],
      ['JSON nested 10,000 deep', Buffer.from(`${T} stdout F {"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`)],
      ['huge numbers', Buffer.from(`${T} stdout F {"n":1e400,"big":123456789012345678901234567890,"neg":-1e999}\n`)],
      [
        'keys with dots, $ and empty names',
        Buffer.from(`${T} stdout F {"a.b":1,"a":{"b":2},"$where":"x","":"empty","..":3}\n`),
      ],
      ['CRI line missing stream tag and content', Buffer.from(`${T} stdout\n`)],
      ['CRI line with no separator at all', Buffer.from('garbage-without-any-spaces\n')],
      ['timestamp in the far future', Buffer.from('9999-12-31T23:59:59.999999999Z stdout F far future\n')],
      ['timestamp in the far past', Buffer.from('0001-01-01T00:00:00.000000000Z stdout F far past\n')],
      ['timestamp not a time', Buffer.from('2026-13-45T99:99:99Z stdout F not a time\n')],
    ]
    const parts: Buffer[] = []
    let goods = 0
    for (const [, h] of hostile) {
      parts.push(good(goods++), h, good(goods++))
    }
    const src = join(dir, 'app.log')
    await writeFile(src, Buffer.concat(parts))
    const conf = join(dir, 'agent.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush         0.2
    Grace         1
    Log_Level     info
    HTTP_Server   On
    HTTP_Listen   127.0.0.1
    HTTP_Port     0
    storage.path  ${state}/buffer

[INPUT]
    Name             tail
    Path             ${src}
    Tag              app
    Parser           cri
    DB               ${state}/tail.db
    Read_From_Head   On
    Refresh_Interval 1
    Buffer_Max_Size  1MB
    Skip_Long_Lines  On

[FILTER]
    Name         parser
    Match        app
    Key_Name     message
    Parser       json
    Reserve_Data On

[OUTPUT]
    Name                es
    Match               app
    Host                127.0.0.1
    Port                ${server.esPort}
    Index               hostile
    Suppress_Type_Name  On
    Generate_ID         On
    Retry_Limit         2
`,
    )
    agent = spawn(process.execPath, [bin, 'agent', '-c', conf], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
    agent.stdout!.on('data', (d) => (log += d))
    agent.stderr!.on('data', (d) => (log += d))
    const search = async (query: string) => {
      const r = await postJson(`${server.ui}/api/search`, {
        query,
        from: '0001-01-01T00:00:00Z',
        to: '9999-12-31T23:59:59.999Z',
        size: 100,
      })
      assert.equal(r.status, 200, r.text)
      return r.json() as { total: number; hits: Array<Record<string, unknown>> }
    }
    const end = Date.now() + 60_000
    let found = 0
    while (Date.now() < end) {
      found = (await search('good:*')).total
      if (found >= goods) break
      await new Promise((r) => setTimeout(r, 250))
    }
    assert.equal(found, goods, `every good line is stored; agent log:\n${log.slice(-3000)}`)
    assert.equal(agent.exitCode, null, 'the agent is still running')
    let text: string[] = []
    const stored = (probe: string) => text.some((t) => t.includes(probe))
    // documents in other day partitions (far future) become searchable a little later
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      text = (await search('')).hits.map((h) => JSON.stringify(h))
      if (stored('far future') && stored('not a time') && stored('garbage-without')) break
    }
    // stored as they are (invalid UTF-8 replaced by U+FFFD, NULs kept, 1e400 as null, odd keys kept;
    // a CRI line that does not parse keeps its raw text under `log`; a bad time keeps the read time)
    for (const probe of [
      'bad utf8',
      'nul\\u0000in',
      '"big":',
      '"$where"',
      '"log":"2026-11-22T08:00:00.000000000Z stdout"',
      'garbage-without',
      'far future',
      'not a time',
    ])
      assert.ok(stored(probe), `${probe} stored:\n${text.join('\n').slice(0, 3000)}`)
    // counted, not stored: the 10 MB line is skipped by tail (Skip_Long_Lines); the others are refused
    // by the server per item (its metric) or by the es output (its error counter and log line)
    const port = /monitoring API on http:\/\/127.0.0.1:(\d+)/.exec(log)?.[1]
    const agentMetrics = await (await fetch(`http://127.0.0.1:${port}/api/v1/metrics/prometheus`)).text()
    assert.equal(metricSum(agentMetrics, 'fluentbit_input_long_line_skipped_total'), 1, agentMetrics)
    assert.match(log, /line longer than buffer_max_size \(1048576 bytes\) skipped/)
    assert.ok(!stored('yyyyyyyyyy'))
    const refusedByServer = metricSum(server.metrics.render(), 'sluice_ingest_item_errors_total')
    const refusedByAgent = metricSum(agentMetrics, 'fluentbit_output_errors_total')
    const notStored = ['far past', '"deep"'].filter((p) => !stored(p)).length
    assert.ok(
      refusedByServer + refusedByAgent >= notStored,
      `${notStored} hostile lines neither stored nor counted (server ${refusedByServer}, agent ${refusedByAgent})`,
    )
    assert.equal(agent.exitCode, null, 'the agent is still running')
    assert.equal((await search('good:*')).total, goods, 'the server still answers')
  } finally {
    agent?.kill('SIGKILL')
    await server.dispose()
    await rm(dir, { recursive: true, force: true })
  }
})

// End to end: a real `sluice agent` tails CRI and Docker log files with the stock parsers and with
// seed 000's parser definitions, and writes them with the file output in json_lines. The output must
// equal, byte for byte, the records Fluent Bit 5.1 writes for the same input
// (packages/agent/src/parsers/testdata/README.md says where each expectation comes from).

import assert from 'node:assert/strict'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parserTestdata, sluice, tempDir, until } from './helpers.ts'

// Seed 000's `docker` and `cri` parsers, as its ConfigMap (packages/core/testdata/seed-000-configmap.yaml)
// defines them, indented.
const seed000Parsers = `[PARSER]
    Name docker
    Format json
    Time_Key time
    Time_Format %Y-%m-%dT%H:%M:%S.%L
    Time_Keep off

[PARSER]
    # http://rubular.com/r/tjUt3Awgg4
    Name cri
    Format regex
    Regex ^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$
    Time_Key time
    Time_Format %Y-%m-%dT%H:%M:%S.%L%z
`

interface Case {
  readonly input: 'cri.log' | 'docker.log'
  readonly parser: 'cri' | 'docker'
  readonly golden: string
}

const cases: Case[] = [
  { input: 'cri.log', parser: 'cri', golden: 'cri.stock.jsonl' },
  { input: 'docker.log', parser: 'docker', golden: 'docker.stock.jsonl' },
  { input: 'cri.log', parser: 'cri', golden: 'cri.seed000.jsonl' },
  { input: 'docker.log', parser: 'docker', golden: 'docker.seed000.jsonl' },
]

/** An agent config tailing a copy of each case's input (tag caseN) into outN.jsonl. */
async function configFor(dir: string, group: readonly Case[], parsersFile?: string): Promise<string> {
  let text = `[SERVICE]
    Flush        0.2
    Grace        1
    Log_Level    warn
${parsersFile ? `    Parsers_File ${parsersFile}\n` : ''}`
  for (const [i, c] of group.entries()) {
    const src = join(dir, `case${i}-${c.input}`)
    await copyFile(join(parserTestdata, c.input), src)
    text += `
[INPUT]
    Name           tail
    Path           ${src}
    Tag            case${i}
    Read_From_Head On
    Parser         ${c.parser}

[OUTPUT]
    Name   file
    Match  case${i}
    Path   ${dir}
    File   out${i}.jsonl
    Format json_lines
`
  }
  const conf = join(dir, 'agent.conf')
  await writeFile(conf, text)
  return conf
}

for (const [which, group, parsers] of [
  ['the stock parsers', cases.slice(0, 2), undefined],
  ["seed 000's parsers", cases.slice(2), seed000Parsers],
] as const) {
  test(`tail + ${which} → file json_lines through sluice agent equals Fluent Bit's records`, async () => {
    const dir = await tempDir('parsers')
    try {
      let parsersFile: string | undefined
      if (parsers) {
        parsersFile = join(dir.path, 'parsers.conf')
        await writeFile(parsersFile, parsers)
      }
      const agent = sluice(['agent', '-c', await configFor(dir.path, group, parsersFile)])
      try {
        for (const [i, c] of group.entries()) {
          const want = await readFile(join(parserTestdata, c.golden), 'utf8')
          const lines = want.split('\n').length - 1
          const got = await until(
            `${lines} records of ${c.input} in out${i}.jsonl`,
            async () => {
              const t = await readFile(join(dir.path, `out${i}.jsonl`), 'utf8').catch(() => '')
              return t.split('\n').length - 1 >= lines ? t : undefined
            },
            20_000,
            agent.output,
          )
          assert.equal(got, want, `${c.input} → ${c.golden}`)
        }
      } finally {
        assert.equal(await agent.stop(), 0, agent.output())
      }
    } finally {
      await dir.remove()
    }
  })
}

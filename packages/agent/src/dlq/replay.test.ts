// Dead-letter queue round trip: the `es` output dead-letters refused records; `sluice dlq ls|show`
// inspects them; `sluice dlq replay` re-sends them once the cause is fixed.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { esOutputs } from '../outputs/es/index.ts'
import { createSender } from '../outputs/es/sender.ts'
import { itemErrors, startFakeEs } from '../testing/fake-es.ts'
import { sampleEvents, startOutput } from '../testing/plugin-harness.ts'
import { replayDir } from './replay.ts'
import { describeFiles, listFiles, readFileEntries } from './store.ts'

const run = promisify(execFile)
const es = esOutputs.find((p) => p.name === 'es')!
const cli = join(import.meta.dirname, '../../../cli/bin/sluice.js')

let tmp: string
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-dlq-'))
})
after(async () => {
  await rm(tmp, { recursive: true, force: true })
})

async function deadLetterSome(dir: string) {
  const fake = await startFakeEs()
  // the "mapping" refuses records whose seq is odd, until it is fixed
  fake.itemFault = ({ source }) => ((source.seq as number) % 2 === 1 ? itemErrors.mapperParsing('seq') : undefined)
  const h = await startOutput(es, {
    host: '127.0.0.1',
    port: String(fake.port),
    suppress_type_name: 'on',
    generate_id: 'on',
    index: 'app',
    'dlq.path': dir,
  })
  const r = await h.flush(sampleEvents(6), 'kube.app')
  assert.equal(r.kind, 'partial')
  await h.stop()
  return fake
}

test('replay re-sends dead-lettered records once the mapping is fixed; accepted ones leave the queue', async () => {
  const dir = join(tmp, 'a')
  const fake = await deadLetterSome(dir)
  try {
    assert.equal(fake.count(), 3)
    const [file] = await describeFiles(dir)
    assert.equal(file!.entries, 3)
    fake.itemFault = undefined // mapping fixed
    const sender = createSender({
      host: '127.0.0.1',
      port: fake.port,
      tls: false,
      tlsVerify: true,
      gzip: false,
      connectTimeoutMs: 1000,
      timeoutMs: 5000,
      keepAlive: false,
    })
    const report = await replayDir(dir, { sender, bulkPath: '/_bulk' })
    await sender.close()
    assert.deepEqual(
      { ...report, errors: report.errors.length },
      { files: 1, entries: 3, delivered: 3, refused: 0, pending: 0, errors: 0 },
    )
    assert.equal(fake.count('app'), 6)
    assert.deepEqual(
      fake
        .docs('app')
        .map((d) => d.source.seq)
        .sort(),
      [0, 1, 2, 3, 4, 5],
    )
    // the replayed documents keep the id Generate_ID gave them: a second replay could not duplicate
    assert.deepEqual(await listFiles(dir), [])
  } finally {
    await fake.close()
  }
})

test('replay keeps records that are still refused, with the new reason', async () => {
  const dir = join(tmp, 'b')
  const fake = await deadLetterSome(dir)
  try {
    fake.itemFault = ({ source }) =>
      source.seq === 3 ? { status: 400, type: 'illegal_argument_exception', reason: 'still wrong' } : undefined
    const sender = createSender({
      host: '127.0.0.1',
      port: fake.port,
      tls: false,
      tlsVerify: true,
      gzip: false,
      connectTimeoutMs: 1000,
      timeoutMs: 5000,
      keepAlive: false,
    })
    const report = await replayDir(dir, { sender, bulkPath: '/_bulk' })
    await sender.close()
    assert.equal(report.delivered, 2)
    assert.equal(report.refused, 1)
    const [f] = await listFiles(dir)
    const { entries } = await readFileEntries(f!)
    assert.equal(entries.length, 1)
    assert.equal(entries[0]!.record.body.seq, 3)
    assert.match(entries[0]!.reason, /illegal_argument_exception: still wrong/)
  } finally {
    await fake.close()
  }
})

test('sluice dlq ls, show and replay from the command line', async () => {
  const dir = join(tmp, 'c')
  const fake = await deadLetterSome(dir)
  try {
    const ls = await run(process.execPath, [cli, 'dlq', 'ls', dir])
    assert.match(ls.stdout, /3 records; by reason:/)
    assert.match(ls.stdout, /3 {2}400 mapper_parsing_exception/)
    const show = await run(process.execPath, [cli, 'dlq', 'show', dir, '--limit', '1'])
    assert.match(show.stdout, /tag=kube.app {2}index=app/)
    assert.match(show.stdout, /reason: 400 mapper_parsing_exception/)
    assert.match(show.stdout, /"seq":1/)
    const json = await run(process.execPath, [cli, 'dlq', 'show', dir, '--json'])
    assert.equal(json.stdout.trim().split('\n').length, 3)
    fake.itemFault = undefined
    const rp = await run(process.execPath, [cli, 'dlq', 'replay', dir, '--url', fake.url])
    assert.match(rp.stdout, /3 records in 1 files: 3 delivered, 0 still refused, 0 not settled/)
    assert.equal(fake.count(), 6)
    const missing = await run(process.execPath, [cli, 'dlq', 'replay', dir]).catch((e) => e)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /give --url .* or --config FILE/)
  } finally {
    await fake.close()
  }
})

test('sluice dlq --config: the directory, endpoint and credentials come from the agent config', async () => {
  const dir = join(tmp, 'd')
  const fake = await startFakeEs({ auth: { users: { shipper: 's3cret' } } })
  try {
    // the agent dead-letters with its config's credentials …
    fake.itemFault = ({ source }) => ((source.seq as number) < 2 ? itemErrors.mapperParsing('seq') : undefined)
    const h2 = await startOutput(es, {
      host: '127.0.0.1',
      port: String(fake.port),
      http_user: 'shipper',
      http_passwd: 's3cret',
      suppress_type_name: 'on',
      generate_id: 'on',
      index: 'app',
      'dlq.path': join(dir, 'rejected'),
    })
    await h2.flush(sampleEvents(4), 'kube.app')
    await h2.stop()
    // … and the config names the same output (storage.path unused: dlq.path is relative to the config)
    const conf = join(dir, 'fluent-bit.conf')
    await writeFile(
      conf,
      `[SERVICE]\n    Flush 1\n[INPUT]\n    Name dummy\n[OUTPUT]\n    Name stdout\n    Match *\n[OUTPUT]\n    Name es\n    Alias to_es\n    Match *\n    Host 127.0.0.1\n    Port ${fake.port}\n    HTTP_User shipper\n    HTTP_Passwd s3cret\n    Suppress_Type_Name On\n    Retry_Limit 5\n    dlq.path rejected\n`,
    )
    const ls = await run(process.execPath, [cli, 'dlq', 'ls', '--config', conf])
    assert.match(ls.stdout, /2 records; by reason:/)
    const wrong = await run(process.execPath, [cli, 'dlq', 'ls', '--config', conf, '--output', 'es.0']).catch((e) => e)
    assert.equal(wrong.code, 2)
    assert.match(wrong.stderr, /no es\/opensearch output 'es.0' .*there are: to_es/)
    fake.itemFault = undefined
    const rp = await run(process.execPath, [cli, 'dlq', 'replay', '--config', conf, '--output', 'to_es'])
    assert.match(rp.stdout, /2 records in 1 files: 2 delivered/)
    assert.equal(fake.count('app'), 4)
  } finally {
    await fake.close()
  }
})

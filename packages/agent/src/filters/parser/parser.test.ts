import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { jsonParser, logfmtParser, setupFilter } from '../testing.ts'
import parser from './index.ts'

const parsers = { parsers: [jsonParser, logfmtParser] }

describe('parser filter', () => {
  test('replaces the record with the parsed fields', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
      ],
      parsers,
    )
    assert.deepEqual(await h.bodies([{ log: '{"a":1,"b":"x"}', stream: 'stdout' }]), [{ a: 1, b: 'x' }])
  })

  test('Reserve_Data keeps the other fields, without the parsed key', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
        ['Reserve_Data', 'On'],
      ],
      parsers,
    )
    assert.deepEqual(await h.bodies([{ log: '{"a":1}', stream: 'stdout' }]), [{ stream: 'stdout', a: 1 }])
  })

  test('Preserve_Key keeps the parsed key', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
        ['Reserve_Data', 'On'],
        ['Preserve_Key', 'On'],
      ],
      parsers,
    )
    assert.deepEqual(await h.bodies([{ log: '{"a":1}', s: 1 }]), [{ log: '{"a":1}', s: 1, a: 1 }])
    const h2 = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
        ['Preserve_Key', 'On'],
      ],
      parsers,
    )
    assert.deepEqual(await h2.bodies([{ log: '{"a":1}', s: 1 }]), [{ a: 1, log: '{"a":1}' }])
  })

  test('the first matching parser wins; no match leaves the record and counts it', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
        ['Parser', 'logfmt'],
      ],
      parsers,
    )
    assert.deepEqual(
      await h.bodies([{ log: '{"a":1}' }, { log: 'k=v x=y' }, { log: 'plain text' }, { other: 1 }, { log: 5 }]),
      [{ a: 1 }, { k: 'v', x: 'y' }, { log: 'plain text' }, { other: 1 }, { log: 5 }],
    )
    assert.equal(h.ctx.metrics.counter('sluice_filter_parser_unparsed_records_total', '').get({ name: 'test.0' }), 3)
  })

  test('a parsed time replaces the record time', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', 'log'],
        ['Parser', 'json'],
      ],
      parsers,
    )
    const [e] = await h.run([{ sec: 1, nsec: 0, body: { log: '{"time":"2026-11-22T07:30:00.250Z","m":1}' } }])
    assert.deepEqual(e, { sec: Date.UTC(2026, 10, 22, 7, 30) / 1000, nsec: 250000000, body: { m: 1 } })
  })

  test('Key_Name may be a record accessor', async () => {
    const h = await setupFilter(
      parser,
      [
        ['Key_Name', "$k['raw']"],
        ['Parser', 'logfmt'],
        ['Reserve_Data', 'on'],
      ],
      parsers,
    )
    assert.deepEqual(await h.bodies([{ k: { raw: 'a=1', o: 2 } }]), [{ k: { o: 2 }, a: '1' }])
  })

  test('an unknown parser is a precise error', async () => {
    await assert.rejects(
      setupFilter(
        parser,
        [
          ['Key_Name', 'log'],
          ['Parser', 'jsn'],
        ],
        parsers,
      ),
      /unknown parser 'jsn' \(known: json, logfmt\)/,
    )
    await assert.rejects(setupFilter(parser, [['Key_Name', 'log']], parsers), /missing required option 'parser'/)
  })
})

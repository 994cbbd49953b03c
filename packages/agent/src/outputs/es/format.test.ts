import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import {
  bulkBody,
  bulkBodyBytes,
  documentId,
  type FormatOptions,
  formatBulk,
  formatConfig,
  formatItem,
  formatItems,
  indexFor,
} from './format.ts'
import { strftimeUtc } from './strftime.ts'

// 2026-11-22T07:30:05.123456789Z
const T = Date.UTC(2026, 10, 22, 7, 30, 5) / 1000
const ev = (body: Record<string, unknown>, sec = T, nsec = 123_456_789): LogEvent => ({ sec, nsec, body })
const NOW = Date.UTC(2030, 0, 2, 3, 4, 5) / 1000

const cases: { name: string; opts: FormatOptions; event: LogEvent; tag?: string; want: string }[] = [
  {
    name: 'defaults: create into fluent-bit with _type _doc and @timestamp in milliseconds',
    opts: {},
    event: ev({ log: 'hello' }),
    want: '{"create":{"_index":"fluent-bit","_type":"_doc"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","log":"hello"}\n',
  },
  {
    name: 'Suppress_Type_Name drops _type',
    opts: { suppress_type_name: true },
    event: ev({ log: 'x' }),
    want: '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","log":"x"}\n',
  },
  {
    name: 'Logstash_Format names the index from the record time (UTC), not the current time',
    opts: { logstash_format: true, logstash_prefix: 'logs', suppress_type_name: true },
    event: ev({ a: 1 }, Date.UTC(2026, 0, 31, 23, 59, 59) / 1000, 0),
    want: '{"create":{"_index":"logs-2026.01.31"}}\n{"@timestamp":"2026-01-31T23:59:59.000Z","a":1}\n',
  },
  {
    name: 'Logstash_Prefix_Separator and Logstash_DateFormat',
    opts: {
      logstash_format: true,
      logstash_prefix_separator: '_',
      logstash_dateformat: '%Y-%m',
      suppress_type_name: true,
    },
    event: ev({ a: 1 }),
    want: '{"create":{"_index":"logstash_2026-11"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","a":1}\n',
  },
  {
    name: 'Logstash_Prefix_Key takes the prefix from the record (record accessor)',
    opts: { logstash_format: true, logstash_prefix_key: "$kubernetes['namespace_name']", suppress_type_name: true },
    event: ev({ kubernetes: { namespace_name: 'shop' } }),
    want: '{"create":{"_index":"shop-2026.11.22"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","kubernetes":{"namespace_name":"shop"}}\n',
  },
  {
    name: 'Logstash_Prefix_Key missing from the record falls back to Logstash_Prefix',
    opts: { logstash_format: true, logstash_prefix_key: "$kubernetes['namespace_name']", suppress_type_name: true },
    event: ev({ log: 'no k8s' }),
    want: '{"create":{"_index":"logstash-2026.11.22"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","log":"no k8s"}\n',
  },
  {
    name: 'Current_Time_Index uses the current time for the index name',
    opts: { logstash_format: true, current_time_index: true, suppress_type_name: true },
    event: ev({ a: 1 }),
    want: '{"create":{"_index":"logstash-2030.01.02"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","a":1}\n',
  },
  {
    name: 'Time_Key, Time_Key_Format and Time_Key_Nanos',
    opts: { time_key: 'ts', time_key_format: '%Y/%m/%d %H:%M:%S', time_key_nanos: true, suppress_type_name: true },
    event: ev({ a: 1 }),
    want: '{"create":{"_index":"fluent-bit"}}\n{"ts":"2026/11/22 07:30:05.123456789Z","a":1}\n',
  },
  {
    name: 'a record that already has the time key keeps its own value (no duplicate key)',
    opts: { suppress_type_name: true },
    event: ev({ '@timestamp': '2020-01-01T00:00:00Z', a: 1 }),
    want: '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2020-01-01T00:00:00Z","a":1}\n',
  },
  {
    name: 'Include_Tag_Key with the default Tag_Key flb-key',
    opts: { include_tag_key: true, suppress_type_name: true },
    event: ev({ a: 1 }),
    tag: 'kube.var.log',
    want: '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","flb-key":"kube.var.log","a":1}\n',
  },
  {
    name: 'Replace_Dots rewrites dots in keys at every depth, values untouched',
    opts: { replace_dots: true, suppress_type_name: true },
    event: ev({ 'app.kubernetes.io/name': 'web', labels: { 'a.b': 'c.d' }, list: [{ 'x.y': 1 }] }),
    want: '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","app_kubernetes_io/name":"web","labels":{"a_b":"c.d"},"list":[{"x_y":1}]}\n',
  },
  {
    name: 'Replace_Dots Off keeps dotted keys (seed 004 ECS fields)',
    opts: { suppress_type_name: true },
    event: ev({ 'service.name': 'api' }),
    want: '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","service.name":"api"}\n',
  },
  {
    name: 'Id_Key sets _id from the record',
    opts: { id_key: 'uid', suppress_type_name: true },
    event: ev({ uid: 'abc-1', a: 1 }),
    want: '{"create":{"_index":"fluent-bit","_id":"abc-1"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","uid":"abc-1","a":1}\n',
  },
  {
    name: 'Write_Operation index',
    opts: { write_operation: 'index', suppress_type_name: true },
    event: ev({ a: 1 }),
    want: '{"index":{"_index":"fluent-bit"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","a":1}\n',
  },
  {
    name: 'Write_Operation update wraps the document in doc',
    opts: { write_operation: 'update', id_key: 'uid', suppress_type_name: true },
    event: ev({ uid: 'u1' }),
    want: '{"update":{"_index":"fluent-bit","_id":"u1"}}\n{"doc":{"@timestamp":"2026-11-22T07:30:05.123Z","uid":"u1"}}\n',
  },
  {
    name: 'Write_Operation upsert is update with doc_as_upsert',
    opts: { write_operation: 'upsert', id_key: 'uid', suppress_type_name: true },
    event: ev({ uid: 'u1' }),
    want: '{"update":{"_index":"fluent-bit","_id":"u1"}}\n{"doc_as_upsert":true,"doc":{"@timestamp":"2026-11-22T07:30:05.123Z","uid":"u1"}}\n',
  },
  {
    name: 'Index with strftime sequences uses the current time',
    opts: { index: 'app-%Y.%m', suppress_type_name: true },
    event: ev({ a: 1 }),
    want: '{"create":{"_index":"app-2030.01"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","a":1}\n',
  },
  {
    name: 'Target_Index template from the record, falling back to Index',
    opts: { target_index: 'logs-$ns', suppress_type_name: true },
    event: ev({ ns: 'prod' }),
    want: '{"create":{"_index":"logs-prod"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","ns":"prod"}\n',
  },
  {
    name: 'Type option is sent as _type when not suppressed',
    opts: { type: 'flb_type' },
    event: ev({ a: 1 }),
    want: '{"create":{"_index":"fluent-bit","_type":"flb_type"}}\n{"@timestamp":"2026-11-22T07:30:05.123Z","a":1}\n',
  },
]

for (const c of cases) {
  test(`formatter: ${c.name}`, () => {
    assert.equal(formatBulk(formatConfig(c.opts), [c.event], c.tag ?? 'app', NOW), c.want)
  })
}

test('formatter: Generate_ID gives a deterministic id from tag, time and record', () => {
  const cfg = formatConfig({ generate_id: true, suppress_type_name: true })
  const a = formatItem(cfg, ev({ log: 'x' }), 'app', NOW)
  const again = formatItem(cfg, ev({ log: 'x' }), 'app', NOW + 100)
  assert.match(a.id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.equal(a.id, again.id, 'same record, same id, whatever the time of sending')
  assert.equal(a.id, documentId('app', ev({ log: 'x' })))
  assert.notEqual(a.id, formatItem(cfg, ev({ log: 'y' }), 'app', NOW).id, 'other content')
  assert.notEqual(a.id, formatItem(cfg, ev({ log: 'x' }), 'other', NOW).id, 'other tag')
  assert.notEqual(a.id, formatItem(cfg, ev({ log: 'x' }, T, 1), 'app', NOW).id, 'other nanosecond')
  assert.equal(a.payload.split('\n')[0], `{"create":{"_index":"fluent-bit","_id":"${a.id}"}}`)
})

test('formatter: Id_Key takes precedence over Generate_ID', () => {
  const cfg = formatConfig({ generate_id: true, id_key: 'uid' })
  assert.equal(formatItem(cfg, ev({ uid: 'mine' }), 'app', NOW).id, 'mine')
})

test('formatter: update without an id value is marked invalid, not sent', () => {
  const it = formatItem(formatConfig({ write_operation: 'update', id_key: 'uid' }), ev({ other: 1 }), 'app', NOW)
  assert.equal(it.payload, '')
  assert.match(it.invalid!, /needs an _id/)
})

test('formatter: bigint and binary values become JSON', () => {
  const it = formatItem(
    formatConfig({ suppress_type_name: true }),
    ev({ n: 12n, b: new Uint8Array([104, 105]) }),
    'app',
    NOW,
  )
  assert.match(it.payload, /"n":12,"b":"hi"/)
})

test('formatter: a record with a cycle is invalid with a reason, others are unaffected', () => {
  const body: Record<string, unknown> = { a: 1 }
  body.self = body
  const cfg = formatConfig({})
  const bad = formatItem(cfg, ev(body), 'app', NOW)
  assert.match(bad.invalid!, /cannot serialize record as JSON/)
  assert.equal(formatItem(cfg, ev({ ok: 1 }), 'app', NOW).invalid, undefined)
})

test('indexFor: Logstash_Prefix_Key value is capped at 128 bytes like Fluent Bit', () => {
  const cfg = formatConfig({ logstash_format: true, logstash_prefix_key: 'p' })
  assert.equal(indexFor(cfg, ev({ p: 'x'.repeat(300) }), 'app', NOW), `${'x'.repeat(128)}-2026.11.22`)
})

test('strftime: UTC conversions used in index names and time keys', () => {
  const t = Date.UTC(2024, 1, 29, 13, 5, 9) / 1000
  assert.equal(strftimeUtc('%Y.%m.%d', t), '2024.02.29')
  assert.equal(
    strftimeUtc('%y%j %H:%M:%S %a %b %e %% %F %T %s', t),
    `24060 13:05:09 Thu Feb 29 % 2024-02-29 13:05:09 ${t}`,
  )
  assert.equal(strftimeUtc('plain', t), 'plain')
})

test('formatter: identical records in one batch get distinct ids, and keep them when retried alone', () => {
  const cfg = formatConfig({ generate_id: true })
  const a = ev({ log: 'same' })
  const b = ev({ log: 'same' })
  const c = ev({ log: 'same' })
  const items = formatItems(cfg, [a, b, c], 'app', NOW)
  const ids = items.map((i) => i.id)
  assert.equal(new Set(ids).size, 3)
  assert.equal(ids[0], documentId('app', a), 'the first copy has the documented id')
  // the engine re-sends the same record objects: the second copy alone keeps its own id
  assert.equal(formatItems(cfg, [b], 'app', NOW)[0]!.id, ids[1])
  assert.deepEqual(
    formatItems(cfg, [c, a], 'app', NOW).map((i) => i.id),
    [ids[2], ids[0]],
  )
  // a restart formats new objects: the same batch again gives the same ids
  assert.deepEqual(
    formatItems(
      formatConfig({ generate_id: true }),
      [ev({ log: 'same' }), ev({ log: 'same' }), ev({ log: 'same' })],
      'app',
      NOW,
    ).map((i) => i.id),
    ids,
  )
})

test('bulkBodyBytes: the UTF-8 bytes of the bulk body, non-ASCII and invalid records included', () => {
  const cfg = formatConfig({ suppress_type_name: true })
  const items = formatItems(
    cfg,
    [
      ev({ log: 'plain ascii' }),
      ev({ log: 'café — 東京 🚀' }),
      ev({ bad: 1n as unknown as number }),
      ev({ log: 'x'.repeat(5000) }),
    ],
    'app',
    NOW,
  )
  const bytes = bulkBodyBytes(items)
  assert.deepEqual(bytes, Buffer.from(bulkBody(items), 'utf8'))
  assert.ok(bytes.toString('utf8').includes('"café — 東京 🚀"'))
  assert.equal(bulkBodyBytes([]).length, 0)
})

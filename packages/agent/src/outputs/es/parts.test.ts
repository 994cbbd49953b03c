// Table tests of the small pure parts: bulk response salvage, item classification, Retry-After,
// Cloud_ID, credential descriptions, index template requests.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCloudId, staticAuth } from './auth.ts'
import { countSuccessfulItems, parseBulkResponse, salvageItems } from './bulk-response.ts'
import { classifyItem } from './classify.ts'
import { parseRetryAfter } from './deliver.ts'
import { flatStrategy, indexPatterns, parseServerInfo, templateRequest } from './index-template.ts'
import { compileAccessor, compileTemplate } from './record-accessor.ts'

const items = [
  { create: { _index: 'a', _id: '1', status: 201 } },
  {
    create: {
      _index: 'a',
      _id: '2',
      status: 400,
      error: { type: 'mapper_parsing_exception', reason: 'bad "}{" value', caused_by: { type: 'x', reason: 'y' } },
    },
  },
  { create: { _index: 'a', _id: '3', status: 201 } },
]
const full = JSON.stringify({ took: 1, errors: true, items })
/** Offsets just past each item in `full`. */
const ends = items.map((it) => {
  const text = JSON.stringify(it)
  return full.indexOf(text) + text.length
})

test('bulk response: a complete body gives every item', () => {
  const r = parseBulkResponse(full)
  assert.equal(r.complete, true)
  assert.equal(r.errors, true)
  assert.deepEqual(
    r.items.map((i) => i.status),
    [201, 400, 201],
  )
  assert.equal(r.items[1]!.error!.causedBy, 'x: y')
})

test('bulk response: every cut point salvages exactly the items completed before it', () => {
  for (let cut = 0; cut < full.length; cut++) {
    const r = parseBulkResponse(full.slice(0, cut))
    assert.equal(r.items.length, ends.filter((e) => e <= cut).length, `cut at ${cut}`)
    assert.equal(r.complete, false)
  }
})

test('bulk response: braces and quotes inside strings do not confuse the salvage', () => {
  const cut = full.slice(0, full.indexOf('"_id":"3"'))
  assert.deepEqual(
    salvageItems(cut).map((i) => i.id),
    ['1', '2'],
  )
  assert.equal(salvageItems(cut)[1]!.error!.reason, 'bad "}{" value')
})

test('bulk response: not JSON at all gives no items', () => {
  assert.deepEqual(parseBulkResponse('<html>502 Bad Gateway</html>'), { items: [], complete: false })
})

// The success response of the Bulk API reference's example (Elasticsearch docs, "Bulk API", response
// body: four operations, `errors: false`), sent compact as Elasticsearch writes it on the wire.
const docsSuccess = JSON.stringify({
  took: 30,
  errors: false,
  items: [
    {
      index: {
        _index: 'test',
        _id: '1',
        _version: 1,
        result: 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        status: 201,
        _seq_no: 0,
        _primary_term: 1,
      },
    },
    {
      delete: {
        _index: 'test',
        _id: '2',
        _version: 1,
        result: 'not_found',
        _shards: { total: 2, successful: 1, failed: 0 },
        status: 404,
        _seq_no: 1,
        _primary_term: 2,
      },
    },
    {
      create: {
        _index: 'test',
        _id: '3',
        _version: 1,
        result: 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        status: 201,
        _seq_no: 2,
        _primary_term: 3,
      },
    },
    {
      update: {
        _index: 'test',
        _id: '1',
        _version: 2,
        result: 'updated',
        _shards: { total: 2, successful: 1, failed: 0 },
        status: 200,
        _seq_no: 3,
        _primary_term: 4,
      },
    },
  ],
})

test('bulk response: errors:false bodies are counted without parsing; anything else is left to the parser', () => {
  assert.equal(countSuccessfulItems(docsSuccess), 4)
  // an id that contains the text of a status key: inside a JSON string its quotes are escaped
  const tricky = JSON.stringify({
    took: 2,
    errors: false,
    items: [{ create: { _index: 'a', _id: '"status":1', status: 201 } }],
  })
  assert.equal(countSuccessfulItems(tricky), 1)
  // errors:true, a cut body, a pretty-printed body, another key order, not JSON: not counted
  assert.equal(countSuccessfulItems(full), undefined)
  assert.equal(countSuccessfulItems(docsSuccess.slice(0, -2)), undefined)
  assert.equal(countSuccessfulItems(JSON.stringify(JSON.parse(docsSuccess), null, 2)), undefined)
  assert.equal(countSuccessfulItems(JSON.stringify({ errors: false, took: 1, items: [] })), undefined)
  assert.equal(countSuccessfulItems('<html>502 Bad Gateway</html>'), undefined)
  // the count agrees with the full parse
  assert.equal(parseBulkResponse(docsSuccess).items.length, 4)
})

test('classify: per-item statuses', () => {
  const it = (action: string, status: number, type = 'e') => ({
    action,
    status,
    error: status >= 300 ? { type, reason: 'r' } : undefined,
  })
  assert.equal(classifyItem(it('create', 201), undefined).kind, 'delivered')
  assert.deepEqual(classifyItem(it('create', 409, 'version_conflict_engine_exception'), 'id1'), {
    kind: 'delivered',
    duplicate: true,
  })
  assert.equal(classifyItem(it('create', 409), undefined).kind, 'retry', 'no id of ours: not proof of delivery')
  assert.equal(classifyItem(it('index', 409), 'id1').kind, 'retry')
  assert.equal(classifyItem(it('create', 429), undefined).kind, 'retry')
  assert.equal(classifyItem(it('create', 503), undefined).kind, 'retry')
  assert.equal(classifyItem(it('create', 400, 'document_parsing_exception'), undefined).kind, 'dead-letter')
  assert.equal(classifyItem(it('update', 404, 'document_missing_exception'), 'x').kind, 'dead-letter')
})

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('30'), 30_000)
  assert.equal(parseRetryAfter(['2']), 2000)
  const now = Date.parse('2026-11-22T07:00:00Z')
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 07:00:10 GMT', now), 10_000)
  assert.equal(parseRetryAfter('soon'), undefined)
  assert.equal(parseRetryAfter(undefined), undefined)
})

test('Cloud_ID: endpoint from the encoded domain and Elasticsearch id', () => {
  const id = `my-deploy:${Buffer.from('us-east-1.aws.found.io$abc123$kib456').toString('base64')}`
  assert.deepEqual(parseCloudId(id), { host: 'abc123.us-east-1.aws.found.io', port: 443 })
  const withPort = `d:${Buffer.from('eu.example.com:9243$es1$kb1').toString('base64')}`
  assert.deepEqual(parseCloudId(withPort), { host: 'es1.eu.example.com', port: 9243 })
  assert.throws(() => parseCloudId('d:bm90aGluZw=='), /cannot decode Cloud_ID/)
})

test('credentials are described without secrets, with Fluent Bit precedence', () => {
  assert.equal(
    staticAuth({ http_user: 'elastic', http_passwd: 'pw', http_api_key: 'x' }).describe,
    "HTTP_User 'elastic'",
  )
  assert.equal(staticAuth({ cloud_auth: 'elastic:pw' }).describe, "Cloud_Auth user 'elastic'")
  const key = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64')
  const a = staticAuth({ http_api_key: key })
  assert.equal(a.describe, "HTTP_API_Key with id 'VuaCfGcBCdbkQm-e5aOx'")
  assert.equal(a.header, `ApiKey ${key}`)
  assert.equal(
    staticAuth({ http_user: 'u', http_passwd: 'p' }).header,
    `Basic ${Buffer.from('u:p').toString('base64')}`,
  )
})

test('index template: strategy and request by server version', () => {
  const es = (n: string) => parseServerInfo(JSON.stringify({ version: { number: n } }))!
  const os = (n: string) => parseServerInfo(JSON.stringify({ version: { number: n, distribution: 'opensearch' } }))!
  assert.equal(flatStrategy(es('8.15.0')), 'subobjects')
  assert.equal(flatStrategy(es('8.3.0')), 'subobjects')
  assert.equal(flatStrategy(es('8.2.3')), 'flattened')
  assert.equal(flatStrategy(es('7.3.0')), 'flattened')
  assert.equal(flatStrategy(es('7.2.1')), 'none')
  assert.equal(flatStrategy(os('2.7.0')), 'flat_object')
  assert.equal(flatStrategy(os('2.6.0')), 'none')
  assert.equal(flatStrategy(os('1.3.0')), 'none')
  assert.equal(templateRequest('t', ['x-*'], ['a.b'], es('7.5.0'))!.path, '/_template/t')
  assert.equal(templateRequest('t', ['x-*'], ['a.b'], es('7.10.0'))!.path, '/_index_template/t')
  assert.equal(templateRequest('t', ['x-*'], ['a.b'], es('7.0.0')), undefined)
  assert.deepEqual(
    indexPatterns({ logstash_format: true, logstash_prefix: 'logs', logstash_prefix_separator: '_', index: 'x' }),
    ['logs_*'],
  )
  assert.deepEqual(
    indexPatterns({ logstash_format: false, logstash_prefix: '', logstash_prefix_separator: '-', index: 'app-%Y.%m' }),
    ['app-*'],
  )
})

test('record accessor: keys, nested keys, indexes, tag parts, templates', () => {
  const body = { a: { 'b.c': 'x', list: ['p', 'q'] }, n: 5, top: 'v' }
  assert.equal(compileAccessor("$a['b.c']").render(body, 't'), 'x')
  assert.equal(compileAccessor("$a['list'][1]").render(body, 't'), 'q')
  assert.equal(compileAccessor('$n').render(body, 't'), '5')
  assert.equal(compileAccessor('top').render(body, 't'), 'v')
  assert.equal(compileAccessor('$a').render(body, 't'), undefined, 'objects are not index names')
  assert.equal(compileAccessor('$missing').render(body, 't'), undefined)
  assert.equal(compileTemplate('logs-$TAG[1]-$top').render(body, 'kube.web.x'), 'logs-web-v')
  assert.equal(compileTemplate('$TAG').render(body, 'kube.web'), 'kube.web')
  assert.throws(() => compileTemplate("$a['b'"), /unclosed/)
})

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { http, postJson, type TestServer, testServer } from '../testing.ts'
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from './proto.ts'

const request = (body: string, t: string) => ({
  resourceLogs: [
    {
      resource: {
        attributes: [
          { key: 'k8s.namespace.name', value: { stringValue: 'otel-ns' } },
          { key: 'k8s.pod.name', value: { stringValue: 'otel-pod' } },
          { key: 'service.name', value: { stringValue: 'checkout' } },
        ],
      },
      scopeLogs: [
        {
          scope: { name: 'my.logger' },
          logRecords: [
            {
              timeUnixNano: t,
              severityText: 'WARN',
              severityNumber: 13,
              body: { stringValue: body },
              attributes: [
                { key: 'http.status_code', value: { intValue: '503' } },
                { key: 'retry', value: { boolValue: true } },
              ],
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
            },
          ],
        },
      ],
    },
  ],
})

describe('OTLP/HTTP logs', () => {
  let s: TestServer
  before(async () => {
    s = await testServer({ otlpPort: 0 })
  })
  after(async () => {
    await s.dispose()
  })
  const find = async (q: string) =>
    (await postJson(`${s.ui}/api/search`, { query: q, from: '2026-01-01T00:00:00Z', to: 'now+1h' })).json().hits

  test('JSON encoding: stored with Kubernetes columns, attributes, resource, trace ids', async () => {
    const r = await http(`${s.es}/v1/logs`, {
      method: 'POST',
      body: JSON.stringify(request('otel json body', '1795305600123456789')),
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.deepEqual(r.json(), {})
    await s.store.refresh()
    const [h] = await find('kubernetes.namespace_name:otel-ns and "otel json body"')
    assert.equal(h['@timestamp'], '2026-11-22T00:00:00.123456Z')
    assert.equal(h._index, 'otlp-logs')
    assert.equal(h.message, 'otel json body')
    assert.equal(h.level, 'WARN')
    assert.equal(h.severity_number, 13)
    assert.deepEqual(h.attributes, { 'http.status_code': 503, retry: true })
    assert.equal(h.resource['service.name'], 'checkout')
    assert.equal(h.kubernetes.pod_name, 'otel-pod')
    assert.equal(h.trace_id, '5b8efff798038103d269b633813fc60c')
    assert.deepEqual(h.scope, { name: 'my.logger' })
  })

  test('protobuf encoding on the separate OTLP port, answered in protobuf', async () => {
    const obj = request('otel proto body', '1795305601000000000')
    const rl = obj.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]! as any
    rl.traceId = Buffer.from(rl.traceId, 'hex')
    rl.spanId = Buffer.from(rl.spanId, 'hex')
    const body = Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(obj)).finish())
    const r = await http(`http://127.0.0.1:${s.otlpPort}/v1/logs`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf' },
    })
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/x-protobuf')
    assert.deepEqual(
      ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(Buffer.from(r.text, 'latin1'))),
      {},
    )
    await s.store.refresh()
    const [h] = await find('"otel proto body"')
    assert.equal(h['@timestamp'], '2026-11-22T00:00:01.000Z')
    assert.equal(h.trace_id, '5b8efff798038103d269b633813fc60c')
    assert.equal(h.span_id, 'eee19b7ec3c1b174')
    assert.equal(h.attributes['http.status_code'], 503)
    assert.equal(s.store.ingest.bySource.otlp, 2)
  })

  test('undecodable bodies are 400, unknown content types 415', async () => {
    const bad = await http(`${s.es}/v1/logs`, {
      method: 'POST',
      body: Buffer.from([0xff, 0xff, 0xff]),
      headers: { 'content-type': 'application/x-protobuf' },
    })
    assert.equal(bad.status, 400)
    const badJson = await http(`${s.es}/v1/logs`, {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(badJson.status, 400)
    assert.match(badJson.json().message, /cannot decode/)
    const t = await http(`${s.es}/v1/logs`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })
    assert.equal(t.status, 415)
  })
})

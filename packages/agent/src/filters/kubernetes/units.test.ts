import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Parser } from '../../parsers/types.ts'
import { excluded, suggestedParser } from './annotations.ts'
import { mergeLog } from './merge-log.ts'
import { MetaCache } from './pod-cache.ts'
import { kubernetesMap } from './pod-metadata.ts'
import { createTagParser } from './tag-meta.ts'

const id = 'a'.repeat(64)

describe('tag metadata (Fluent Bit default regex)', () => {
  const parse = createTagParser('kube.var.log.containers.')
  test('kubelet file name', () => {
    assert.deepEqual(parse(`kube.var.log.containers.web-7d4b9c-x2x9z_shop_nginx-${id}.log`), {
      pod_name: 'web-7d4b9c-x2x9z',
      namespace_name: 'shop',
      container_name: 'nginx',
      docker_id: id,
    })
  })
  test('dotted pod names and containers with dashes', () => {
    assert.deepEqual(parse(`kube.var.log.containers.a.b-1_ns_side-car-${id}.log`), {
      pod_name: 'a.b-1',
      namespace_name: 'ns',
      container_name: 'side-car',
      docker_id: id,
    })
  })
  test('not a container log tag', () => {
    assert.equal(parse('kube.var.log.syslog'), null)
    assert.equal(parse(`kube.var.log.containers.web_shop_nginx-${'z'.repeat(10)}.log`), null)
  })
})

describe('kubernetes map', () => {
  const pod = {
    metadata: {
      uid: 'u-1',
      labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
      annotations: { a: '1' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d4b9c' }],
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
    status: {
      podIP: '10.0.0.7',
      containerStatuses: [
        { name: 'nginx', image: 'docker.io/library/nginx:1.25', imageID: 'docker.io/library/nginx@sha256:abc' },
      ],
    },
  }
  const tm = { pod_name: 'web-1', namespace_name: 'shop', container_name: 'nginx', docker_id: id }
  test('keys and order as Fluent Bit emits them', () => {
    const m = kubernetesMap(tm, pod, { labels: true, annotations: true, ownerReferences: true })
    assert.deepEqual(Object.keys(m), [
      'pod_name',
      'namespace_name',
      'pod_id',
      'labels',
      'annotations',
      'ownerReferences',
      'host',
      'pod_ip',
      'container_name',
      'docker_id',
      'container_hash',
      'container_image',
    ])
    assert.equal(m.container_image, 'docker.io/library/nginx:1.25')
    assert.equal(m.container_hash, 'docker.io/library/nginx@sha256:abc')
  })
  test('Labels Off, Annotations Off, no owner references by default', () => {
    const m = kubernetesMap(tm, pod, { labels: false, annotations: false, ownerReferences: false })
    assert.equal('labels' in m || 'annotations' in m || 'ownerReferences' in m, false)
  })
  test('without a pod object: what the tag tells', () => {
    assert.deepEqual(kubernetesMap(tm, undefined, { labels: true, annotations: true, ownerReferences: false }), tm)
  })
})

describe('Merge_Log', () => {
  const base = { o: { trim: true, keepLog: true } }
  test('JSON in `log` merges at the top level; Keep_Log On keeps it', () => {
    const r = mergeLog({ stream: 'stdout', log: '{"level":"info","msg":"hi\\n"}\n' }, undefined, base.o)
    assert.deepEqual(r.body, { stream: 'stdout', log: '{"level":"info","msg":"hi\\n"}\n', level: 'info', msg: 'hi' })
  })
  test('Merge_Log_Key nests; Keep_Log Off drops `log`', () => {
    const r = mergeLog({ stream: 'stdout', log: '{"a":1}' }, undefined, {
      key: 'log_processed',
      trim: true,
      keepLog: false,
    })
    assert.deepEqual(r.body, { stream: 'stdout', log_processed: { a: 1 } })
  })
  test('Merge_Log_Trim trims trailing CR/LF of string values only; a `__proto__` key is a field', () => {
    const r = mergeLog(
      { log: '{"a":"x\\r\\n","b":"y\\n\\nz","c":"q","n":5,"__proto__":{"polluted":true}}' },
      undefined,
      {
        trim: true,
        keepLog: false,
      },
    )
    assert.deepEqual(Object.keys(r.body!), ['a', 'b', 'c', 'n', '__proto__'])
    assert.equal(r.body!.a, 'x')
    assert.equal(r.body!.b, 'y\n\nz')
    assert.equal(r.body!.c, 'q')
    assert.equal(Object.getPrototypeOf(r.body), Object.prototype)
    assert.deepEqual(Object.getOwnPropertyDescriptor(r.body, '__proto__')?.value, { polluted: true })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
  test('only `log` is merged: the cri regex parser puts text in `message`, left alone', () => {
    assert.equal(mergeLog({ message: '{"a":1}' }, undefined, base.o).body, undefined)
  })
  test('not JSON, or a JSON array: record untouched', () => {
    assert.equal(mergeLog({ log: 'GET / 200' }, undefined, base.o).body, undefined)
    assert.equal(mergeLog({ log: '[1,2]' }, undefined, base.o).body, undefined)
    assert.equal(mergeLog({ log: '{broken' }, undefined, base.o).body, undefined)
  })
  test('a parser replaces JSON and may set the time', () => {
    const kv: Parser = {
      name: 'kv',
      format: 'regex',
      parse: (t) => {
        const m = /^(\w+)=(\w+)$/.exec(t)
        return m ? { body: { [m[1]!]: m[2]! }, sec: 42, nsec: 7 } : null
      },
    }
    const r = mergeLog({ log: 'user=bob' }, kv, base.o)
    assert.deepEqual(r, { body: { log: 'user=bob', user: 'bob' }, sec: 42, nsec: 7 })
    assert.equal(mergeLog({ log: '{"a":1}' }, kv, base.o).body, undefined, 'exclusive: no JSON fallback')
  })
})

describe('pod annotations', () => {
  const a = {
    'fluentbit.io/parser': 'json',
    'fluentbit.io/parser_stderr': 'stderr-p',
    'fluentbit.io/parser-sidecar': 'side-p',
    'fluentbit.io/parser_stdout-sidecar': 'side-out-p',
    'fluentbit.io/exclude-sidecar': 'true',
  }
  test('the most specific parser annotation wins', () => {
    assert.equal(suggestedParser(a, 'stdout', 'nginx'), 'json')
    assert.equal(suggestedParser(a, 'stderr', 'nginx'), 'stderr-p')
    assert.equal(suggestedParser(a, 'stderr', 'sidecar'), 'side-p')
    assert.equal(suggestedParser(a, 'stdout', 'sidecar'), 'side-out-p')
    assert.equal(suggestedParser(undefined, 'stdout', 'x'), undefined)
  })
  test('exclude per container', () => {
    assert.equal(excluded(a, 'stdout', 'sidecar'), true)
    assert.equal(excluded(a, 'stdout', 'nginx'), false)
    assert.equal(excluded({ 'fluentbit.io/exclude': 'false' }, 'stdout', 'x'), false)
  })
})

describe('metadata cache', () => {
  test('TTL for fetched entries, none for watched ones, retention after deletion', () => {
    const c = new MetaCache<string>(1000, 5000)
    c.set('a', 'A', 0)
    c.set('w', 'W', 0, true)
    assert.equal(c.get('a', 500)?.value, 'A')
    assert.equal(c.get('a', 1500), undefined)
    assert.equal(c.get('w', 100_000)?.value, 'W')
    c.markDeleted('w', 100_000)
    assert.equal(c.get('w', 104_000)?.value, 'W')
    assert.equal(c.get('w', 106_000), undefined)
  })
  test('one load per key at a time', async () => {
    const c = new MetaCache<number>(0, 0)
    let calls = 0
    const load = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 10))
      return 1
    }
    const [x, y] = await Promise.all([c.load('k', load), c.load('k', load)])
    assert.equal(x, 1)
    assert.equal(y, 1)
    assert.equal(calls, 1)
  })
})

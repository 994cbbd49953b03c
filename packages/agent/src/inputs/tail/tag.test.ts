import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileTag } from './tag.ts'

test('compileTag: `*` expands to the dotted path; a tag without `*` is kept', () => {
  assert.equal(compileTag('kube.*', undefined)('/var/log/containers/a.log'), 'kube.var.log.containers.a.log')
  assert.equal(compileTag('app', undefined)('/x.log'), 'app')
})

test('compileTag: the Fluent Bit docs tag_regex for container logs', () => {
  const compose = compileTag(
    'kube.<namespace_name>.<pod_name>.<container_name>',
    '(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<container_id>[a-z0-9]{64})\\.log$',
  )
  const id = 'a'.repeat(64)
  assert.equal(compose(`/var/log/containers/web-7d9_prod_nginx-${id}.log`), 'kube.prod.web-7d9.nginx')
  assert.deepEqual(compose('/var/log/other.log'), {
    error: `tag_regex '${'(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<container_id>[a-z0-9]{64})\\.log$'}' does not match file /var/log/other.log`,
  })
})

test('compileTag: a bad regex or an unclosed <name> is an error at start', () => {
  assert.throws(() => compileTag('kube.<a', 'x(?<a>y)'), /missing closing angle bracket at position 5/)
  assert.throws(() => compileTag('kube.<a>', '(?<a>'), /cannot compile tag_regex/)
})

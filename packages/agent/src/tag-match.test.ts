import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileMatch, expandTag } from './tag-match.ts'

test('Match wildcards as Fluent Bit routes', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything.at.all', true],
    ['kube.*', 'kube.var.log.containers.a.log', true],
    ['kube.*', 'kube.', true],
    ['kube.*', 'kubex', false],
    ['kube.*', 'host.kube.x', false],
    ['*.log', 'kube.a.log', true],
    ['kube.*.log', 'kube.var.a.log', true],
    ['kube.*.log', 'kube.log', false],
    ['app', 'app', true],
    ['app', 'App', false],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
  ]
  for (const [pattern, tag, want] of cases)
    assert.equal(compileMatch(pattern, undefined)(tag), want, `${pattern} ~ ${tag}`)
})

test('Match_Regex tests the tag; no Match means nothing matches', () => {
  assert.equal(compileMatch(undefined, '^kube\\.(a|b)$')('kube.a'), true)
  assert.equal(compileMatch(undefined, '^kube\\.(a|b)$')('kube.c'), false)
  assert.equal(compileMatch(undefined, undefined)('x'), false)
})

test('tail tag expansion', () => {
  assert.equal(expandTag('kube.*', '/var/log/containers/a_b_c-123.log'), 'kube.var.log.containers.a_b_c-123.log')
  assert.equal(expandTag('app', '/x/y.log'), 'app')
})

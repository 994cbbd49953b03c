import assert from 'node:assert/strict'
import { test } from 'node:test'
import { tlsServerName } from './tls-server-name.ts'

test('TLS server name: vhost first, then the host; IP addresses (v4, v6) are never sent as SNI', () => {
  assert.equal(tlsServerName(undefined, 'es.example.com'), 'es.example.com')
  assert.equal(tlsServerName('logs.example.com', '10.0.0.5'), 'logs.example.com')
  assert.equal(tlsServerName(undefined, '127.0.0.1'), undefined)
  assert.equal(tlsServerName(undefined, '::1'), undefined)
  assert.equal(tlsServerName('10.0.0.5', 'es.example.com'), undefined)
  assert.equal(tlsServerName(undefined, ''), undefined)
})

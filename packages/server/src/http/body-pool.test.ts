import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { readBodyPooled } from './util.ts'

test('readBodyPooled: concurrent bodies stay apart; a reused buffer gives exactly the new body', async () => {
  const seen: string[] = []
  const srv = createServer(async (req, res) => {
    try {
      const p = await readBodyPooled(req, 8 * 1024 * 1024)
      seen.push(p.body.toString('utf8'))
      const n = p.body.length
      p.release()
      res.end(String(n))
    } catch (e) {
      res.statusCode = 400
      res.end((e as Error).message)
    }
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`
  try {
    const big = 'a'.repeat(3 * 1024 * 1024)
    const other = 'b'.repeat(2 * 1024 * 1024 + 7)
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers }).then((r) =>
        r.text(),
      )
    // two at once, then smaller ones that reuse the buffers the first ones released
    assert.deepEqual(await Promise.all([post(big), post(other)]), [String(big.length), String(other.length)])
    assert.equal(await post('short body'), '10')
    assert.equal(await post('{"é":"ü"}'), String(Buffer.byteLength('{"é":"ü"}')))
    // gzip goes the other way (no Content-Length of the decoded body), same result
    assert.equal(await post(gzipSync('zipped'), { 'content-encoding': 'gzip' }), '6')
    assert.deepEqual(seen.slice(2), ['short body', '{"é":"ü"}', 'zipped'])
    assert.ok(seen[0] === big || seen[0] === other)
    assert.ok(seen[1] === big || seen[1] === other)
    assert.notEqual(seen[0], seen[1])
  } finally {
    srv.close()
  }
})

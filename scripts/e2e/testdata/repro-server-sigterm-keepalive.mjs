// Reproduction (not a test): `sluice server` does not exit on SIGTERM while a keep-alive client's request
// was in flight: the connection turns idle after the response, the server (keepAliveTimeout 65 s) keeps it,
// and http.Server.close() waits for it. Run: node scripts/e2e/testdata/repro-server-sigterm-keepalive.mjs
// Expected: server exit 0 within a second. Seen: 'still running after 10 s'.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
const dir = mkdtempSync('/tmp/ka-')
const srv = spawn(process.execPath, ['packages/cli/bin/sluice.js', 'server', '--data', dir, '--es-port', '0', '--ui-port', '0', '--forward-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
let out = ''
srv.stdout.on('data', (d) => (out += d))
while (!/^ready$/m.test(out)) await new Promise((r) => setTimeout(r, 50))
const port = Number(/^es_port=(\d+)/m.exec(out)[1])
const agent = new http.Agent({ keepAlive: true })
const body = '{"index":{"_index":"ka"}}\n{"@timestamp":"2026-11-22T08:00:00Z","m":1}\n'
// a request in flight when SIGTERM arrives: headers sent, body sent 300 ms later
const req = http.request({ host: '127.0.0.1', port, path: '/_bulk', method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', () => console.log('response', res.statusCode, 'connection:', res.headers.connection ?? '(keep-alive)')) })
req.flushHeaders()
await new Promise((r) => setTimeout(r, 200))
const t0 = Date.now()
srv.kill('SIGTERM')
await new Promise((r) => setTimeout(r, 300))
req.end(body)
const code = await Promise.race([new Promise((r) => srv.once('exit', (c, s) => r(c ?? s))), new Promise((r) => setTimeout(() => r('still running after 10 s'), 10000))])
console.log('server exit:', code, 'after', Date.now() - t0, 'ms')
agent.destroy()
const cleanup = () => {
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}
if (srv.exitCode !== null || srv.signalCode !== null) cleanup()
else {
  srv.once('exit', cleanup)
  srv.kill('SIGKILL')
}

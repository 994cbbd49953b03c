// The memory floor of Node itself on the full benchmark pipeline's job: the smallest Node program that
// reads the same files with 1 MiB reads, splits the CRI lines, parses the JSON app lines, drops the
// health probes, adds two keys and appends each record as a JSON line to a file. No engine, no
// acknowledgements, no timestamps parsed, no monitoring server, synchronous I/O: whatever peak RSS
// this program needs, an agent doing the same work on Node needs at least as much. Run as a child
// process (bench.ts runs it with different V8 and glibc settings); prints {records, cpu, rss} as JSON.
// Plain JavaScript on purpose: a .ts entry point loads Node's type stripper, ~13 MB of RSS that is not
// part of the floor (the agent itself runs from a JavaScript bundle).
//
// Usage: node scripts/bench/node-floor.mjs OUTFILE FILE...

import { closeSync, openSync, readSync, writeSync } from 'node:fs'

const [outPath, ...files] = process.argv.slice(2)
if (outPath === undefined) throw new Error('usage: node-floor.mjs OUTFILE FILE...')
const out = openSync(outPath, 'w')
const buf = Buffer.allocUnsafe(1 << 20)
let records = 0
for (const f of files) {
  const fd = openSync(f, 'r')
  let pos = 0
  for (;;) {
    const got = readSync(fd, buf, 0, buf.length, pos)
    if (got === 0) break
    const last = buf.lastIndexOf(10, got - 1)
    if (last < 0) break
    const text = buf.latin1Slice(0, last + 1)
    const lines = []
    for (let i = 0; i < text.length; ) {
      const nl = text.indexOf('\n', i)
      const line = text.slice(i, nl)
      i = nl + 1
      // CRI: `<time> <stream> <tag> <message>`
      const a = line.indexOf(' ')
      const b = line.indexOf(' ', a + 1)
      const c = line.indexOf(' ', b + 1)
      const message = line.slice(c + 1)
      let body = { message }
      if (message.charCodeAt(0) === 123 /* { */) {
        try {
          body = JSON.parse(message)
        } catch {
          // not JSON: kept as the message
        }
      }
      if (typeof body.message === 'string' && body.message.includes('healthz')) continue
      body.time = line.slice(0, a)
      body.stream = line.slice(a + 1, b)
      body.logtag = line.slice(b + 1, c)
      body.cluster = 'bench'
      body.env = 'perf'
      lines.push(JSON.stringify(body))
      records++
    }
    writeSync(out, `${lines.join('\n')}\n`)
    pos += last + 1
  }
  closeSync(fd)
}
closeSync(out)
const cpu = process.cpuUsage()
console.log(JSON.stringify({ records, cpu: (cpu.user + cpu.system) / 1e6, rss: process.resourceUsage().maxRSS * 1024 }))

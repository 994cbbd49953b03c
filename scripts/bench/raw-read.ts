// The baseline every agent pipeline is compared with: read the same files with 1 MiB reads and split
// lines on 0x0A, doing nothing else. Run as a child process; prints {bytes, lines, cpu, rss} as JSON.

import { closeSync, openSync, readSync } from 'node:fs'

const files = process.argv.slice(2)
const buf = Buffer.allocUnsafe(1 << 20)
let bytes = 0
let lines = 0
for (const f of files) {
  const fd = openSync(f, 'r')
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null)
    if (n === 0) break
    bytes += n
    // fast path: count line ends the way a tail reader finds them
    for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) lines++
  }
  closeSync(fd)
}
const cpu = process.cpuUsage()
console.log(
  JSON.stringify({ bytes, lines, cpu: (cpu.user + cpu.system) / 1e6, rss: process.resourceUsage().maxRSS * 1024 }),
)

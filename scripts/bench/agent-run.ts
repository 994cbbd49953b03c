// Runs `sluice agent` on a config until it has read `expected` lines and every record was either
// delivered or dropped by a filter, then reports its CPU seconds and peak RSS from /proc.

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { anonRss, cpuSeconds, peakRss } from './proc.ts'

const cli = fileURLToPath(new URL('../../packages/cli/bin/sluice.js', import.meta.url))

export interface AgentRun {
  readonly cpu: number
  readonly rss: number
  /** Highest RssAnon seen while polling (every 200 ms): RSS without the node binary's shared pages. */
  readonly anonRss: number
  readonly wallMs: number
  readonly inputRecords: number
  readonly outputRecords: number
}

function sum(text: string, name: string): number {
  let s = 0
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      s += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0
  return s
}

export async function runAgent(
  configPath: string,
  monitorPort: number,
  expectedInput: number,
  timeoutMs = 600_000,
): Promise<AgentRun> {
  const t0 = Date.now()
  const child = spawn(process.execPath, [cli, 'agent', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000)
  })
  const pid = child.pid!
  let last = { cpu: 0, rss: 0 }
  let anon = 0
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`agent exited early (${child.exitCode}): ${stderr}`)
      if (Date.now() - t0 > timeoutMs) throw new Error(`agent did not finish in ${timeoutMs} ms: ${stderr}`)
      await new Promise((r) => setTimeout(r, 200))
      last = { cpu: cpuSeconds(pid), rss: peakRss(pid) }
      anon = Math.max(anon, anonRss(pid))
      let text = ''
      try {
        const r = await fetch(`http://127.0.0.1:${monitorPort}/api/v1/metrics/prometheus`)
        text = await r.text()
      } catch {
        continue
      }
      const input = sum(text, 'fluentbit_input_records_total')
      const out = sum(text, 'fluentbit_output_proc_records_total')
      const dropped = sum(text, 'fluentbit_filter_drop_records_total')
      const failed = sum(text, 'fluentbit_output_dropped_records_total')
      if (input >= expectedInput && out + dropped + failed >= input) {
        return {
          cpu: last.cpu,
          rss: last.rss,
          anonRss: anon,
          wallMs: Date.now() - t0,
          inputRecords: input,
          outputRecords: out,
        }
      }
    }
  } finally {
    child.kill('SIGKILL')
  }
}

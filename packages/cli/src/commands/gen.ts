// `sluice gen`: writes a realistic Kubernetes node log workload (CRI files under var/log/pods with
// var/log/containers symlinks), either a fixed batch or live until Ctrl-C. Seeded.

import { parseArgs } from 'node:util'
import { generateBatch } from '../gen/batch.ts'
import { runLive } from '../gen/live.ts'

export const summary = 'Write a realistic Kubernetes container log workload (seeded)'

const usage = `Usage: sluice gen --root DIR [--lines N | --rate N] [options]

Writes container logs the way a Kubernetes node does: CRI files under DIR/var/log/pods/<ns>_<pod>_<uid>/<c>/0.log
with DIR/var/log/containers/<pod>_<ns>_<c>-<id>.log symlinks. JSON app logs with levels, nginx access logs, health
probes, Java/Python/Go stack traces, CRI partial (P/F) lines, stderr.

  --root DIR          where to write (required)
  --lines N           write about N CRI lines as fast as possible, then exit
  --rate N            live mode: N events per second until Ctrl-C (bursts, pod churn, rotation)
  --duration SEC      live mode: stop after SEC seconds
  --seed N            PRNG seed (default 1): same seed, same bytes
  --scale X           multiply every deployment's replicas (more files; default 1)
  --rotate-bytes N    rotate a container file past N bytes (default: batch never, live 8 MiB)
`

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice gen: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.help) {
    console.log(usage)
    return 0
  }
  if (!v.root || (v.lines === undefined && v.rate === undefined)) {
    console.error(`sluice gen: --root and one of --lines or --rate are required\n\n${usage}`)
    return 2
  }
  const seed = Number(v.seed ?? 1)
  const replicaScale = Number(v.scale ?? 1)
  const rotateBytes = v['rotate-bytes'] === undefined ? undefined : Number(v['rotate-bytes'])
  if (v.lines !== undefined) {
    const t0 = Date.now()
    const r = generateBatch({ root: v.root, seed, replicaScale, rotateBytes, lines: Number(v.lines) })
    const s = r.stats
    console.log(
      `wrote ${s.lines} lines (${s.events} events, ${(s.bytes / 1e6).toFixed(1)} MB) in ${r.files.length} files under ${r.containersDir} in ${Date.now() - t0} ms`,
    )
    return 0
  }
  const ac = new AbortController()
  process.once('SIGINT', () => ac.abort())
  process.once('SIGTERM', () => ac.abort())
  if (v.duration !== undefined) setTimeout(() => ac.abort(), Number(v.duration) * 1000).unref()
  const w = await runLive({ root: v.root, seed, replicaScale, rotateBytes, rate: Number(v.rate), signal: ac.signal })
  console.log(
    `wrote ${w.stats.lines} lines, ${w.stats.rotations} rotations, ${w.stats.podsCreated} pods created, ${w.stats.podsDeleted} deleted`,
  )
  return 0
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      root: { type: 'string' },
      lines: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
      'rotate-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values
}

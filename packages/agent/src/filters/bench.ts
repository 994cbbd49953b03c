// Per-filter micro-benchmark: µs per record for each filter on realistic Kubernetes records, in
// batches of 1000 as the engine passes them. Called by `npm run bench` (scripts/bench.ts); not a test.
// Run alone: node packages/agent/src/filters/bench.ts

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import type { AnyFilterPlugin } from '../plugin.ts'
import grep from './grep/index.ts'
import js from './js/index.ts'
import lua from './lua/index.ts'
import modify from './modify/index.ts'
import nest from './nest/index.ts'
import parser from './parser/index.ts'
import recordModifier from './record-modifier/index.ts'
import rewriteTag from './rewrite-tag/index.ts'
import { countingAck, jsonParser, type Pairs, setupFilter } from './testing.ts'
import throttle from './throttle/index.ts'

const BATCH = 1000
const TESTDATA = join(import.meta.dirname, 'testdata')

/** A record as the kubernetes filter leaves it (Merge_Log off): `log` holds the app's JSON line. */
function k8sRecord(i: number): Record<string, unknown> {
  const app = ['cart', 'auth', 'web', 'search'][i % 4]!
  return {
    time: '2026-11-22T07:30:00.123456789Z',
    stream: i % 7 === 0 ? 'stderr' : 'stdout',
    _p: 'F',
    log:
      i % 10 === 0
        ? `10.0.${i % 255}.1 - - [22/Nov/2026:07:30:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"`
        : `{"level":"info","ts":"2026-11-22T07:30:00.123Z","msg":"request served","path":"/api/v1/items/${i}","status":200,"duration_ms":${i % 97},"user":"u${i % 1000}"}`,
    kubernetes: {
      pod_name: `${app}-7d9f8b6c5-${(i % 5).toString(36)}x2x4q`,
      namespace_name: i % 3 === 0 ? 'shop' : 'platform',
      pod_id: '0d8f3b4e-1c2a-4f5e-9a7b-3c2d1e0f9a8b',
      labels: { app, 'pod-template-hash': '7d9f8b6c5', 'app.kubernetes.io/part-of': 'eco2' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
      host: 'ip-10-0-1-23.ap-northeast-2.compute.internal',
      container_name: app,
      docker_id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f0e1d2c3b4a5968778695a4b3c2d1e0f',
      container_hash: `docker.io/library/${app}@sha256:0123456789abcdef`,
      container_image: `docker.io/library/${app}:1.4.2`,
    },
  }
}

/** The same after the seed's nest lifts (what its Lua script sees). */
function liftedRecord(i: number): Record<string, unknown> {
  const r = k8sRecord(i)
  const k = r.kubernetes as Record<string, unknown>
  delete r.kubernetes
  for (const [key, v] of Object.entries(k)) {
    if (key === 'labels') for (const [l, lv] of Object.entries(v as object)) r[`k8s_labels_${l}`] = lv
    else r[`k8s_${key}`] = v
  }
  return r
}

function batches(make: (i: number) => Record<string, unknown>, n: number): LogEvent[][] {
  const out: LogEvent[][] = []
  for (let b = 0; b < n / BATCH; b++) {
    const batch: LogEvent[] = []
    // through JSON, as records arrive from parsers: flat strings, not the ropes template literals make
    for (let i = 0; i < BATCH; i++) {
      batch.push({ sec: 1763796600, nsec: 123456789, body: JSON.parse(JSON.stringify(make(b * BATCH + i))) })
    }
    out.push(batch)
  }
  return out
}

interface Case {
  name: string
  plugin: AnyFilterPlugin
  opts: Pairs
  make: (i: number) => Record<string, unknown>
}

const CASES: Case[] = [
  { name: 'grep (Exclude log healthz)', plugin: grep, opts: [['Exclude', 'log /healthz']], make: k8sRecord },
  {
    name: 'grep (Regex on $kubernetes[labels][app])',
    plugin: grep,
    opts: [['Regex', "$kubernetes['labels']['app'] ^(cart|auth)$"]],
    make: k8sRecord,
  },
  {
    name: 'modify (Add cluster, Add env)',
    plugin: modify,
    opts: [
      ['Add', 'cluster eco2-dev'],
      ['Add', 'env dev'],
    ],
    make: k8sRecord,
  },
  {
    name: 'nest (lift kubernetes, Add_prefix k8s_)',
    plugin: nest,
    opts: [
      ['Operation', 'lift'],
      ['Nested_under', 'kubernetes'],
      ['Add_prefix', 'k8s_'],
    ],
    make: k8sRecord,
  },
  {
    name: 'record_modifier (Record + Remove_key)',
    plugin: recordModifier,
    opts: [
      ['Record', 'hostname node-1'],
      ['Remove_key', '_p'],
    ],
    make: k8sRecord,
  },
  {
    name: 'parser (json on log, Reserve_Data)',
    plugin: parser,
    opts: [
      ['Key_Name', 'log'],
      ['Parser', 'json'],
      ['Reserve_Data', 'on'],
    ],
    make: k8sRecord,
  },
  {
    name: 'rewrite_tag (1 in 3 re-tagged, KEEP false)',
    plugin: rewriteTag,
    opts: [['Rule', "$kubernetes['namespace_name'] ^(shop)$ ns.$1 false"]],
    make: k8sRecord,
  },
  { name: 'throttle (Rate high: all pass)', plugin: throttle, opts: [['Rate', '100000000']], make: k8sRecord },
  {
    name: 'throttle (per namespace key)',
    plugin: throttle,
    opts: [
      ['Rate', '100000000'],
      ['key', "$kubernetes['namespace_name']"],
    ],
    make: k8sRecord,
  },
  {
    name: 'lua (seed 004 ECS script)',
    plugin: lua,
    opts: [
      ['script', 'ecs-enrichment.lua'],
      ['call', 'enrich_with_ecs_fields'],
    ],
    make: liftedRecord,
  },
  {
    name: 'js (seed 004 ECS logic, per record)',
    plugin: js,
    opts: [['path', join(TESTDATA, 'ecs-enrichment.js.ts')]],
    make: liftedRecord,
  },
  {
    name: 'js (seed 004 ECS logic, batch)',
    plugin: js,
    opts: [
      ['path', join(TESTDATA, 'ecs-enrichment.js.ts')],
      ['call', 'batch'],
      ['batch', 'on'],
    ],
    make: liftedRecord,
  },
]

/** CPU time (user + system) since `t0`, in µs: steadier than wall time on a shared machine. */
function cpuMicros(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0)
  return d.user + d.system
}

export interface FilterBenchResult {
  name: string
  /** Median CPU microseconds per record. */
  usPerRecord: number
}

/** Runs every case `runs` times over `records` records; returns the median µs/record of each. */
export async function benchFilters(o: { records?: number; runs?: number } = {}): Promise<FilterBenchResult[]> {
  const records = o.records ?? 20_000
  const runs = o.runs ?? 3
  const files = {
    'ecs-enrichment.lua': readFileSync(join(TESTDATA, '../../../../core/testdata/ecs-enrichment.lua'), 'utf8'),
  }
  const results: FilterBenchResult[] = []
  for (const c of CASES) {
    const h = await setupFilter(c.plugin, c.opts, { parsers: [jsonParser], files })
    h.ctx.emit = () => {} // rewrite_tag: re-emitted records are not the filter's cost
    const times: number[] = []
    // Warm up on as many records as a measured run: one batch left the first case (grep) measuring
    // V8's tier-up (Node 26: 1.3–1.5 µs/record against ~0.3 once optimised).
    for (const b of batches(c.make, records)) await h.run(b, 'kube.var.log.containers.x.log', countingAck())
    for (let r = 0; r < runs; r++) {
      const input = batches(c.make, records)
      const t0 = process.cpuUsage()
      for (const b of input) await h.run(b, 'kube.var.log.containers.x.log', countingAck())
      times.push(cpuMicros(t0) / records)
    }
    await h.stop()
    times.sort((a, b) => a - b)
    results.push({ name: c.name, usPerRecord: times[Math.floor(times.length / 2)]! })
  }
  // multiline cri joiner on raw CRI lines (1 in 20 split into P/F parts), as tail uses it
  {
    const { registry } = createMultilineRegistry([])
    const times: number[] = []
    for (let r = 0; r < runs; r++) {
      const j = registry.create(['cri'])
      const lines: LogEvent[] = []
      for (let i = 0; i < records; i++) {
        const log = String(k8sRecord(i).log)
        if (i % 20 === 0) {
          lines.push({ sec: 0, nsec: 0, body: { log: `2026-11-22T07:30:00.123456789Z stdout P ${log.slice(0, 40)}` } })
          lines.push({ sec: 0, nsec: 0, body: { log: `2026-11-22T07:30:00.123456789Z stdout F ${log.slice(40)}` } })
        } else lines.push({ sec: 0, nsec: 0, body: { log: `2026-11-22T07:30:00.123456789Z stdout F ${log}` } })
      }
      const t0 = process.cpuUsage()
      for (const e of lines) j.push(e, 'f')
      times.push(cpuMicros(t0) / lines.length)
    }
    times.sort((a, b) => a - b)
    results.push({ name: 'multiline cri (per CRI line)', usPerRecord: times[Math.floor(times.length / 2)]! })
  }
  return results
}

/** The section of docs/benchmarks.md (scripts/bench.ts calls this). */
export async function benchMarkdown(o: { runs: number; log: (s: string) => void }): Promise<string> {
  const results = await benchFilters({ runs: o.runs })
  const rows = results.map(
    (r) => `| ${r.name} | ${r.usPerRecord.toFixed(2)} | ${Math.round(1e6 / r.usPerRecord).toLocaleString('en-US')} |`,
  )
  for (const r of results) o.log(`  ${r.name}: ${r.usPerRecord.toFixed(2)} µs/record`)
  return [
    `Median of ${o.runs} runs, 20,000 Kubernetes-shaped records in batches of ${BATCH}; CPU time of the process (user + system).`,
    '',
    '| filter | CPU µs / record | records / CPU-s |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n')
}

if (import.meta.main) {
  for (const r of await benchFilters())
    console.log(`${r.name.padEnd(46)} ${r.usPerRecord.toFixed(2).padStart(8)} CPU µs/record`)
}

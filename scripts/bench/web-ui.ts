// The web UI in the benchmark: bundle size as the browser downloads it (gzip), and time to first
// results — from navigation until the first log rows are on screen — in Debian's Chromium against a
// real `sluice server` holding 20,000 records. Medians of several page loads.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { bundleSize, DIST_DIR } from '../../packages/web/src/bundle-size.ts'
import { median } from './proc.ts'

const root = resolve(import.meta.dirname, '..', '..')
const CHROMIUM = '/usr/bin/chromium'

async function startServer(data: string): Promise<{ proc: ChildProcess; es: number; ui: number }> {
  const proc = spawn(
    process.execPath,
    [
      join(root, 'packages/cli/bin/sluice.js'),
      'server',
      '--data',
      data,
      '--es-port',
      '0',
      '--ui-port',
      '0',
      '--forward-port',
      '0',
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  let out = ''
  await new Promise<void>((ok, fail) => {
    proc.stdout!.on('data', (d) => {
      out += d
      if (/^ready$/m.test(out)) ok()
    })
    proc.once('exit', (c) => fail(new Error(`sluice server exited (${c}): ${out}`)))
  })
  return { proc, es: Number(/es_port=(\d+)/.exec(out)?.[1]), ui: Number(/ui_port=(\d+)/.exec(out)?.[1]) }
}

async function ingest(es: number, n: number): Promise<void> {
  const now = Date.now()
  const levels = ['info', 'info', 'info', 'debug', 'warn', 'error']
  for (let start = 0; start < n; start += 2000) {
    let body = ''
    for (let i = start; i < Math.min(n, start + 2000); i++) {
      body += '{"create":{"_index":"logs-bench"}}\n'
      body += `${JSON.stringify({
        '@timestamp': new Date(now - (n - i) * 30).toISOString(),
        log: `request ${i} completed in ${i % 997} ms`,
        level: levels[i % levels.length],
        kubernetes: {
          namespace_name: `ns-${i % 5}`,
          pod_name: `web-${i % 40}`,
          container_name: 'app',
          labels: { app: 'web' },
        },
      })}\n`
    }
    const r = await fetch(`http://127.0.0.1:${es}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    })
    if (!r.ok) throw new Error(`bulk: ${r.status}`)
    await r.arrayBuffer()
  }
}

export async function benchMarkdown(o: { runs: number; log: (s: string) => void }): Promise<string> {
  if (!existsSync(join(DIST_DIR, 'index.html')))
    spawnSync('npm', ['run', 'build', '--silent', '-w', '@sluice/web'], { cwd: root, stdio: 'ignore' })
  const size = bundleSize()
  const lines = [
    `Bundle: ${(size.gzipBytes / 1024).toFixed(0)} KB gzip (${(size.bytes / 1024).toFixed(0)} KB raw) in ${size.files.length} files.`,
    '',
  ]
  if (!existsSync(CHROMIUM)) return `${lines.join('\n')}Time to first results: not measured (${CHROMIUM} missing).`
  const data = mkdtempSync(join(tmpdir(), 'sluice-bench-ui-'))
  const profile = mkdtempSync(join(tmpdir(), 'sluice-bench-chromium-'))
  const server = await startServer(data)
  try {
    await ingest(server.es, 20_000)
    // Acknowledged records become searchable once the store has loaded them: wait for that first.
    for (let t = Date.now(); Date.now() - t < 60_000; ) {
      const r = await fetch(`http://127.0.0.1:${server.ui}/api/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '', from: 'now-1h', to: 'now+1m', size: 1, track_total_hits: true }),
      })
      const j = (await r.json()) as { total?: number }
      if ((j.total ?? 0) >= 20_000) break
      await new Promise((res) => setTimeout(res, 200))
    }
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage())
      page.setDefaultTimeout(30_000)
      const url = `http://127.0.0.1:${server.ui}/`
      const first: number[] = []
      const reload: number[] = []
      for (let i = 0; i < Math.max(3, o.runs); i++) {
        // A fresh page load with an empty cache, then a reload served from the browser cache.
        await ctx.clearCookies()
        const cdp = await ctx.newCDPSession(page)
        await cdp.send('Network.clearBrowserCache')
        let t0 = Date.now()
        await page.goto(url)
        await page.locator('.log-row').first().waitFor()
        first.push(Date.now() - t0)
        t0 = Date.now()
        await page.reload()
        await page.locator('.log-row').first().waitFor()
        reload.push(Date.now() - t0)
      }
      o.log(`web UI: first results ${median(first)} ms (cold), ${median(reload)} ms (reload)`)
      lines.push(
        '| page load (20,000 records in the last 15 minutes) | time to first log rows, median |',
        '| --- | --- |',
        `| cold (empty browser cache) | ${median(first)} ms |`,
        `| reload | ${median(reload)} ms |`,
        '',
        'Headless Debian Chromium on this machine, from navigation until the first row of the log table is visible (histogram, fields and rows load in parallel).',
      )
    } finally {
      await ctx.close()
    }
  } finally {
    server.proc.kill('SIGKILL')
    rmSync(data, { recursive: true, force: true })
    rmSync(profile, { recursive: true, force: true })
  }
  return lines.join('\n')
}

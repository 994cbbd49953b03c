// End to end: Debian's chromium (through playwright-core) drives the built UI served by a real
// `sluice server`, with records ingested through its Elasticsearch `_bulk` API. Screenshots of the main
// screens go to test-artifacts/web/ (gitignored).
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const WEB = join(ROOT, 'packages', 'web')
const SHOTS = join(ROOT, 'test-artifacts', 'web')
const CHROMIUM = '/usr/bin/chromium'

interface Server {
  ui: string
  es: string
  proc: ChildProcess
  dataDir: string
}

let server: Server
let ctx: BrowserContext
let page: Page
let profileDir: string

const NOW = Date.now()
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString()

// The workload: 3 namespaces × pods, levels in a fixed pattern, over the last 50 minutes, plus node
// metric samples in their own index. Counts below are derived from the same loops.
const LOGS: Record<string, unknown>[] = []
for (let i = 0; i < 300; i++) {
  const ns = ['shop', 'payments', 'kube-system'][i % 3]!
  const level = i % 10 === 0 ? 'error' : i % 7 === 0 ? 'warn' : 'info'
  LOGS.push({
    '@timestamp': iso((300 - i) * 10_000),
    level,
    stream: 'stdout',
    message: level === 'error' ? `checkout failed: upstream timeout order=${i}` : `GET /api/items/${i} 200`,
    kubernetes: {
      namespace_name: ns,
      pod_name: `${ns}-web-${i % 2}`,
      container_name: 'app',
      host: 'node-a',
      labels: { app: ns },
    },
  })
}
const METRICS: Record<string, unknown>[] = []
for (let i = 0; i < 60; i++) {
  for (const host of ['node-a', 'node-b']) {
    const t = iso((60 - i) * 30_000)
    METRICS.push({ '@timestamp': t, host, cpu_p: 10 + (i % 5), user_p: 6, system_p: 4 })
    METRICS.push({ '@timestamp': t, host, 'Mem.total': 8_000_000, 'Mem.used': 3_000_000 + i * 1000, 'Swap.used': 0 })
    METRICS.push({ '@timestamp': t, host, eth0: { rx: { bytes: 4000 + i }, tx: { bytes: 2000 } } })
  }
}

const ALL = [...LOGS, ...METRICS]
const count = (f: (r: any) => boolean) => ALL.filter(f).length

async function bulk(index: string, docs: Record<string, unknown>[]): Promise<void> {
  const body = docs.map((d) => `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(d)}\n`).join('')
  const res = await fetch(`${server.es}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  })
  const json = (await res.json()) as { errors: boolean }
  assert.equal(res.status, 200)
  assert.equal(json.errors, false, 'bulk ingest had errors')
}

async function startServer(): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-web-e2e-data-'))
  // Every port ephemeral (forward too, so parallel suites never collide on 24224).
  const args = ['server', '--data', dataDir, '--es-port', '0', '--ui-port', '0', '--forward-port', '0']
  const proc = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/sluice.js'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  return await new Promise<Server>((resolve, reject) => {
    // The server prints `es_port=N` and `ui_port=N` on lines of their own, then `ready`.
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const es = /^es_port=(\d+)$/m.exec(out)
      const ui = /^ui_port=(\d+)$/m.exec(out)
      if (es && ui && /^ready$/m.test(out)) {
        resolve({ es: `http://127.0.0.1:${es[1]}`, ui: `http://127.0.0.1:${ui[1]}`, proc, dataDir })
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', (c: Buffer) => {
      out += c.toString()
    })
    proc.on('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true })
      reject(new Error(`sluice server exited with ${code} before it was ready:\n${out}`))
    })
  })
}

/** Newest modification time under `dir` (sources of the UI). */
function newest(dir: string): number {
  let t = 0
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, name))
    if (st.isFile()) t = Math.max(t, st.mtimeMs)
  }
  return t
}

/**
 * The UI under test is the one `sluice server` serves from packages/web/dist. Build it when it is
 * missing or older than its sources. Other suites may be reading dist meanwhile, so the build goes to
 * a temporary directory and is copied in with index.html last (assets are content-hashed, so old and
 * new ones can sit side by side).
 */
function ensureBuilt(): void {
  const dist = join(WEB, 'dist')
  const index = join(dist, 'index.html')
  const sourcesAt = Math.max(newest(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs)
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesAt) return
  const out = mkdtempSync(join(tmpdir(), 'sluice-web-build-'))
  try {
    const vite = join(ROOT, 'node_modules/vite/bin/vite.js')
    const r = spawnSync(process.execPath, [vite, 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: WEB,
      encoding: 'utf8',
    })
    assert.equal(r.status, 0, `web build failed: ${r.stderr}`)
    mkdirSync(join(dist, 'assets'), { recursive: true })
    cpSync(join(out, 'assets'), join(dist, 'assets'), { recursive: true })
    cpSync(join(out, 'index.html'), index)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** Polls `check` until it returns a truthy value (the page and the server are asynchronous). */
async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const hitsShown = async () => {
  const text = (await page.getByTestId('hit-count').locator('strong').textContent()) ?? ''
  return Number(text.replace(/[^\d]/g, ''))
}
const param = (name: string) => new URL(page.url()).searchParams.get(name)
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })

before(async () => {
  ensureBuilt()
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`)
  mkdirSync(SHOTS, { recursive: true })
  server = await startServer()
  await bulk('logs-k8s', LOGS)
  await bulk('node-metrics-e2e', METRICS)
  profileDir = mkdtempSync(join(tmpdir(), 'sluice-web-e2e-chromium-'))
  ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-US',
    timezoneId: 'Asia/Seoul',
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
  page = ctx.pages()[0] ?? (await ctx.newPage())
  page.setDefaultTimeout(15_000)
})

after(async () => {
  await ctx?.close()
  if (server) {
    server.proc.kill('SIGTERM')
    await new Promise((r) => (server.proc.exitCode !== null ? r(null) : server.proc.once('exit', r)))
    rmSync(server.dataDir, { recursive: true, force: true })
  }
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

test('explore: all records, KQL search with highlighting, syntax error with position', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await until('all hits', async () => (await hitsShown()) === ALL.length)
  await page.locator('.log-row').first().waitFor()
  await page.locator('.chart-plot canvas').first().waitFor()
  // Virtualized: the page holds the rows in view, not all of them.
  const inDom = await page.locator('.log-row').count()
  assert.ok(inDom > 10 && inDom < 120, `${inDom} rows in the page for ${ALL.length} hits`)
  await shot('explore')

  // Times show in the browser's zone (Seoul here) or in UTC, as the user chooses.
  const newest = LOGS.at(-1)!['@timestamp'] as string
  const firstTime = () => page.locator('.log-row .cell-time').first().textContent()
  const kst = new Date(Date.parse(newest) + 9 * 3_600_000).toISOString().slice(0, 23).replace('T', ' ')
  assert.match((await firstTime()) ?? '', new RegExp(kst))
  await page.getByRole('combobox', { name: 'Time zone' }).selectOption('utc')
  await until('row times in UTC', async () =>
    ((await firstTime()) ?? '').includes(newest.slice(0, 23).replace('T', ' ')),
  )
  await page.getByRole('combobox', { name: 'Time zone' }).selectOption('local')
  await until('row times in Seoul again', async () => ((await firstTime()) ?? '').includes(kst))

  // The histogram legend filters for a split value.
  await page.locator('.histogram').getByRole('button', { name: 'error' }).click()
  await until('legend filter in the query', () => param('q') === 'level: error')
  await until('error hits', async () => (await hitsShown()) === count((r) => r.level === 'error'))

  const q = page.getByRole('combobox', { name: 'Search (KQL)' })
  await q.fill('"upstream timeout" and kubernetes.namespace_name: shop')
  await q.press('Enter')
  const expected = count((r) => r.level === 'error' && r.kubernetes?.namespace_name === 'shop')
  await until('filtered hits', async () => (await hitsShown()) === expected)
  assert.equal(param('q'), '"upstream timeout" and kubernetes.namespace_name: shop')
  const marks = await page.locator('.log-row mark').allTextContents()
  assert.equal(marks.length, expected, 'one highlight per row')
  assert.ok(
    marks.every((m) => m === 'upstream timeout'),
    `highlights: ${marks}`,
  )

  await q.fill('nothing-matches-this-zzz')
  await q.press('Enter')
  await page.getByText('No records match').waitFor()

  await q.fill('message: "unclosed')
  await q.press('Enter')
  const err = page.locator('.syntax-error')
  await err.waitFor()
  assert.match((await err.textContent()) ?? '', /position \d+/)
  assert.equal(await q.getAttribute('aria-invalid'), 'true')
})

test('explore: field and value autocompletion', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await until('hits', async () => (await hitsShown()) === ALL.length)
  const q = page.getByRole('combobox', { name: 'Search (KQL)' })
  await q.click()
  await q.pressSequentially('kubernetes.names')
  await page
    .getByRole('listbox')
    .getByRole('option', { name: /kubernetes\.namespace_name/ })
    .waitFor()
  await q.press('ArrowDown')
  await q.press('Enter')
  assert.equal(await q.inputValue(), 'kubernetes.namespace_name: ')
  await page
    .getByRole('listbox')
    .getByRole('option', { name: /payments/ })
    .waitFor()
  await page
    .getByRole('listbox')
    .getByRole('option', { name: /payments/ })
    .click()
  assert.equal((await q.inputValue()).trim(), 'kubernetes.namespace_name: payments')
  await q.press('Enter')
  await until(
    'payments hits',
    async () => (await hitsShown()) === count((r) => r.kubernetes?.namespace_name === 'payments'),
  )
})

test('time picker: quick range, absolute range with validation, auto-refresh, all in the URL', async () => {
  await page.goto(`${server.ui}/explore`)
  await page.getByRole('button', { name: 'Last 15 minutes' }).click()
  await page.getByRole('dialog', { name: 'Time range' }).getByRole('button', { name: 'Last 24 hours' }).click()
  await until('quick range in the URL', () => param('from') === 'now-24h')
  await until('hits over 24 hours', async () => (await hitsShown()) === ALL.length)

  await page.getByRole('button', { name: 'Last 24 hours' }).click()
  const dialog = page.getByRole('dialog', { name: 'Time range' })
  await dialog.getByRole('textbox', { name: 'From' }).fill('yesterday-ish')
  await dialog.getByRole('button', { name: 'Apply' }).click()
  await dialog.getByText('Not a date').waitFor()
  await shot('time-picker')
  // 5 s off the 10 s grid of the workload, so no record sits exactly on the bound.
  const from = new Date(NOW - 20 * 60_000 - 5_000).toISOString()
  await dialog.getByRole('textbox', { name: 'From' }).fill(from)
  await dialog.getByRole('textbox', { name: 'To' }).fill('now')
  await dialog.getByRole('button', { name: 'Apply' }).click()
  await until('absolute range in the URL', () => param('from') === from && param('to') === null)
  const inRange = count((r) => Date.parse(r['@timestamp']) >= Date.parse(from))
  await until('hits in the last 20 minutes', async () => (await hitsShown()) === inRange)

  await page.getByRole('combobox', { name: 'Auto-refresh' }).selectOption('30s')
  await until('refresh in the URL', () => param('refresh') === '30s')
  await page.reload()
  assert.equal(await page.getByRole('combobox', { name: 'Auto-refresh' }).inputValue(), '30s')
  await until('same hits after reload', async () => (await hitsShown()) === inRange)
  await page.getByRole('button', { name: 'Copy link' }).click()
  await page.getByRole('button', { name: 'Link copied' }).waitFor()
})

test('explore: drag on the histogram zooms into an absolute range', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await until('hits', async () => (await hitsShown()) === ALL.length)
  const over = page.locator('.histogram .u-over')
  const box = (await over.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 8 })
  await page.mouse.up()
  await until('zoomed range in the URL', () => /^\d{4}-\d{2}-\d{2}T/.test(param('from') ?? ''))
  const from = Date.parse(param('from')!)
  const to = Date.parse(param('to')!)
  assert.ok(from < to && to - from < 60 * 60_000, 'the range is narrower than the hour')
  const inRange = count((r) => {
    const t = Date.parse(r['@timestamp'])
    return t >= from && t <= to
  })
  await until('hits in the zoomed range', async () => (await hitsShown()) === inRange)
  assert.ok(inRange < ALL.length)
})

test('explore: sidebar filter, expanded row, context', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await until('hits', async () => (await hitsShown()) === ALL.length)
  await page.locator('.sidebar .field-name', { hasText: /^.?kubernetes\.namespace_name$/ }).click()
  await page.getByRole('button', { name: 'Filter for payments' }).click()
  await until('filter in the query', () => param('q') === 'kubernetes.namespace_name: payments')
  await until(
    'payments hits',
    async () => (await hitsShown()) === count((r) => r.kubernetes?.namespace_name === 'payments'),
  )
  await page.getByRole('button', { name: 'Add kubernetes.namespace_name as a column' }).click()
  await until('column in the URL', () => (param('cols') ?? '').includes('kubernetes.namespace_name'))

  // Keyboard: rows are buttons; Enter expands.
  await page.locator('.log-row').first().focus()
  await page.keyboard.press('Enter')
  const detail = page.getByTestId('row-detail')
  await detail.waitFor()
  assert.match((await detail.locator('.field-table').textContent()) ?? '', /kubernetes\.pod_name/)
  await shot('explore-row')
  await detail.getByRole('tab', { name: 'JSON' }).click()
  const json = JSON.parse((await detail.locator('pre.json').textContent()) ?? '{}')
  assert.equal(json.kubernetes.namespace_name, 'payments')

  await detail.getByRole('button', { name: 'View surrounding records' }).click()
  const dialog = page.getByRole('dialog', { name: 'Records around this one' })
  await dialog.locator('.context-row.anchor').waitFor()
  const rows = await dialog.locator('.context-row').count()
  assert.ok(rows > 1, 'records around the anchor are shown')
  await shot('context')
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
})

test('explore: live tail shows a record ingested during the test, pause keeps new ones', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h&q=${encodeURIComponent('message: tailmarker*')}`)
  await page.getByRole('button', { name: 'Live tail' }).click()
  await until('live URL', () => param('live') === '1')
  await page.getByText('Following new records').waitFor()
  await bulk('logs-k8s', [{ '@timestamp': new Date().toISOString(), level: 'info', message: 'tailmarker-one arrived' }])
  await page.locator('.log-row', { hasText: 'tailmarker-one arrived' }).waitFor()
  await page.getByRole('button', { name: 'Pause' }).click()
  await bulk('logs-k8s', [{ '@timestamp': new Date().toISOString(), level: 'info', message: 'tailmarker-two arrived' }])
  await page.getByText('Paused: 1 new records waiting').waitFor()
  assert.equal(await page.locator('.log-row', { hasText: 'tailmarker-two' }).count(), 0)
  await page.getByRole('button', { name: 'Resume' }).click()
  await page.locator('.log-row', { hasText: 'tailmarker-two arrived' }).waitFor()
  await shot('live-tail')
})

test('explore: 100,000 rows load page by page while the page keeps only the rows in view', async () => {
  // A day-old hour of its own, so the other tests' counts are untouched.
  const start = NOW - 26 * 3_600_000
  const N = 100_000
  for (let b = 0; b < N; b += 20_000) {
    const docs = Array.from({ length: 20_000 }, (_, i) => ({
      '@timestamp': new Date(start + (b + i) * 30).toISOString(),
      level: 'info',
      message: `bulk row ${b + i}`,
    }))
    await bulk('big-e2e', docs)
  }
  const from = new Date(start - 1000).toISOString()
  const to = new Date(start + N * 30 + 1000).toISOString()
  await page.goto(`${server.ui}/explore?from=${from}&to=${to}`)
  await page.locator('.log-row').first().waitFor()
  const scroller = page.getByTestId('log-scroll')
  await until(
    'every page loaded by scrolling',
    async () => {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight
      })
      return (await page.locator('.log-table').getAttribute('data-rows')) === String(N)
    },
    120_000,
  )
  await page.getByText('End of results').waitFor()
  const inDom = await page.locator('.log-row').count()
  assert.ok(inDom < 100, `${inDom} rows in the page for ${N} loaded`)
  assert.match((await page.locator('.log-row').last().textContent()) ?? '', /bulk row \d+/)
})

test('saved searches: save, list, reopen', async () => {
  await page.goto(`${server.ui}/explore?from=now-1h&q=${encodeURIComponent('level: warn')}`)
  await until('warn hits', async () => (await hitsShown()) === count((r) => r.level === 'warn'))
  await page.getByRole('button', { name: 'Saved searches' }).click()
  await page.getByRole('textbox', { name: 'Name' }).fill('Warnings')
  await page.getByRole('button', { name: 'Save search' }).click()
  await page.getByText('Saved “Warnings”').waitFor()
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await page.getByRole('button', { name: 'Saved searches' }).click()
  await page.locator('.saved-open', { hasText: 'Warnings' }).click()
  await until('reopened query', () => param('q') === 'level: warn')
  await until('warn hits', async () => (await hitsShown()) === count((r) => r.level === 'warn'))
})

test('dashboards in Korean: overview click-through, node metrics, pipeline health', async () => {
  await page.goto(`${server.ui}/dashboards/kubernetes?from=now-1h`)
  await page.getByTestId('lang').selectOption('ko')
  await page.getByRole('link', { name: '탐색', exact: true }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko')
  await page.getByRole('region', { name: '네임스페이스별 레코드 수' }).locator('canvas').first().waitFor()
  await page.getByRole('region', { name: '로그가 많은 파드' }).locator('.bar-item').first().waitFor()
  await shot('dashboard-kubernetes-ko')
  // A click on a bar opens Explore on that namespace for that bucket.
  const over = page.getByRole('region', { name: '네임스페이스별 레코드 수' }).locator('.u-over')
  const box = (await over.boundingBox())!
  await over.click({ position: { x: box.width * 0.9, y: box.height - 3 } })
  await until('bar click-through to Explore', () => new URL(page.url()).pathname === '/explore')
  assert.match(param('q') ?? '', /^kubernetes\.namespace_name: (shop|payments|kube-system)$/)
  assert.match(param('from') ?? '', /^\d{4}-\d{2}-\d{2}T/)
  await until('hits of that namespace in that bucket', async () => (await hitsShown()) > 0)
  await page.goBack()
  await page.getByRole('region', { name: '로그가 많은 파드' }).locator('.bar-item').first().waitFor()
  await page.getByRole('region', { name: '로그가 많은 파드' }).locator('.bar-item').first().click()
  await until('click-through to Explore', () => new URL(page.url()).pathname === '/explore')
  assert.match(param('q') ?? '', /^kubernetes\.pod_name: /)
  await page.getByRole('button', { name: '실시간 보기' }).waitFor()
  await shot('explore-ko')

  await page.getByRole('link', { name: '노드 메트릭', exact: true }).click()
  await page.getByRole('region', { name: 'CPU 사용률 (%)' }).locator('canvas').first().waitFor()
  const legend = await page.getByRole('region', { name: 'CPU 사용률 (%)' }).locator('.legend-item').allTextContents()
  assert.deepEqual(legend, ['node-a', 'node-b'])
  await shot('dashboard-nodes-ko')

  await page.getByRole('link', { name: '파이프라인 상태', exact: true }).click()
  const tile = page.locator('.tile', { hasText: '저장된 레코드' })
  await tile.waitFor()
  await until('stored record count', async () => {
    const n = Number(((await tile.locator('.tile-value').textContent()) ?? '').replace(/[^\d]/g, ''))
    return n >= LOGS.length + METRICS.length
  })
  await shot('dashboard-pipeline-ko')

  // Dark theme, for the screenshot set.
  await page.getByRole('button', { name: '테마' }).click()
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
  await page.getByRole('link', { name: '탐색', exact: true }).click()
  await until('explore hits', async () => (await hitsShown()) > 0)
  await shot('explore-dark-ko')
})

test('when the server goes away, the page says so and what to do', async () => {
  // Runs last: it stops the server. The language is still Korean from the previous test.
  await page.goto(`${server.ui}/explore?from=now-1h`)
  await until('hits', async () => (await hitsShown()) > 0)
  server.proc.kill('SIGTERM')
  await new Promise((r) => (server.proc.exitCode !== null ? r(null) : server.proc.once('exit', r)))
  await page.getByRole('button', { name: '검색', exact: true }).click()
  const alert = page.getByRole('alert')
  await alert.getByText('Sluice 서버에 연결할 수 없습니다').waitFor()
  await alert.getByRole('button', { name: '다시 시도' }).waitFor()
  await shot('server-down-ko')
})

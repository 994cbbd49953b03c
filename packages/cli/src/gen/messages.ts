// What each kind of container prints. One call produces one application event, which may span
// several output lines (a stack trace): each line becomes its own CRI line, as runtimes write them.

import type { LogKind } from './cluster.ts'
import type { Rng } from './prng.ts'

export interface OutputLine {
  readonly stream: 'stdout' | 'stderr'
  readonly text: string
}

export interface EventContext {
  readonly rng: Rng
  /** Event time, epoch milliseconds. */
  readonly ms: number
  /** A unique sequence number for the event (lets checkers find every line). */
  readonly seq: number
  readonly pod: string
}

const paths = [
  '/',
  '/products',
  '/products/42',
  '/cart',
  '/cart/items',
  '/checkout',
  '/api/v1/orders',
  '/static/app.js',
  '/login',
]
const agents = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'curl/8.5.0',
  'Go-http-client/1.1',
  'okhttp/4.12.0',
]
const users = ['alice', 'bob', 'carol', 'dave', 'erin', '-']
const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'] as const
const messages = [
  'request completed',
  'cache miss, loading from database',
  'order placed',
  'payment authorized',
  'user session refreshed',
  'inventory reserved',
  'retrying upstream call',
  'slow query detected',
  'connection pool exhausted',
  'failed to reach upstream: connection refused',
]
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function ip(rng: Rng): string {
  return `10.${rng.int(4)}.${rng.int(256)}.${1 + rng.int(254)}`
}

function nginxTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

function levelFor(rng: Rng): (typeof levels)[number] {
  return rng.pick(levels)
}

function messageFor(level: string, rng: Rng): string {
  if (level === 'ERROR') return rng.pick(messages.slice(7))
  if (level === 'WARN') return rng.pick(messages.slice(5, 9))
  return rng.pick(messages.slice(0, 7))
}

function nginx(c: EventContext): OutputLine[] {
  const { rng } = c
  if (rng.chance(0.25)) {
    // kubelet health probes: the lines seed 004's grep filter excludes.
    const path = rng.chance(0.5) ? '/healthz' : '/readyz'
    return [
      {
        stream: 'stdout',
        text: `${ip(rng)} - - [${nginxTime(c.ms)}] "GET ${path} HTTP/1.1" 200 2 "-" "kube-probe/1.29" ${c.seq}`,
      },
    ]
  }
  const status = rng.chance(0.9) ? 200 : rng.pick([301, 404, 499, 500, 502, 503])
  const method = rng.chance(0.8) ? 'GET' : 'POST'
  const line = `${ip(rng)} - ${rng.pick(users)} [${nginxTime(c.ms)}] "${method} ${rng.pick(paths)} HTTP/1.1" ${status} ${200 + rng.int(40000)} "https://shop.example.com/" "${rng.pick(agents)}" ${c.seq}`
  if (status >= 500)
    return [
      { stream: 'stdout', text: line },
      {
        stream: 'stderr',
        text: `${new Date(c.ms).toISOString().replace('T', ' ').slice(0, 19)} [error] 29#29: *${c.seq} upstream timed out (110: Connection timed out) while reading response header from upstream`,
      },
    ]
  return [{ stream: 'stdout', text: line }]
}

/**
 * ingress-nginx's default access log (`log_format upstreaminfo`, its docs' "Log format" page): the combined
 * format plus request length and time, upstream name, address, response length, time and status, and
 * the request id. Fluent Bit's stock `k8s-nginx-ingress` parser reads it.
 */
function ingress(c: EventContext): OutputLine[] {
  const { rng } = c
  const probe = rng.chance(0.1)
  const path = probe ? '/healthz' : rng.pick(paths)
  const status = probe || rng.chance(0.9) ? 200 : rng.pick([301, 404, 499, 500, 502, 503])
  const method = probe || rng.chance(0.8) ? 'GET' : 'POST'
  const upstream = path.startsWith('/api/') ? 'shop-cart-8000' : 'shop-frontend-80'
  const size = probe ? 2 : 200 + rng.int(40000)
  const took = (rng.int(900) + 1) / 1000
  const user = probe ? '-' : rng.pick(users)
  const agent = probe ? 'kube-probe/1.29' : rng.pick(agents)
  const referer = probe ? '-' : 'https://shop.example.com/'
  return [
    {
      stream: 'stdout',
      text:
        `${ip(rng)} - ${user} [${nginxTime(c.ms)}] "${method} ${path} HTTP/1.1" ${status} ${size} "${referer}" "${agent}" ` +
        `${300 + rng.int(900)} ${took.toFixed(3)} [${upstream}] [] 10.244.${rng.int(4)}.${2 + rng.int(250)}:${upstream.endsWith('8000') ? 8000 : 80} ` +
        `${size} ${(took - 0.001 > 0 ? took - 0.001 : took).toFixed(3)} ${status} ${rng.hex(32)} ${c.seq}`,
    },
  ]
}

function jsonLog(c: EventContext, service: string, extra: Record<string, unknown> = {}): OutputLine[] {
  const { rng } = c
  const level = levelFor(rng)
  const rec: Record<string, unknown> = {
    time: new Date(c.ms).toISOString(),
    level: level.toLowerCase(),
    msg: messageFor(level, rng),
    service,
    trace_id: rng.hex(32),
    seq: c.seq,
    duration_ms: rng.int(1500),
    ...extra,
  }
  if (rng.chance(0.001)) {
    // A big payload: longer than the runtime's 16 KiB buffer, so it arrives as CRI P/F partial lines.
    rec['payload'] = 'x'.repeat(20_000 + rng.int(20_000))
  }
  return [{ stream: level === 'ERROR' ? 'stderr' : 'stdout', text: JSON.stringify(rec) }]
}

function python(c: EventContext): OutputLine[] {
  if (c.rng.chance(0.01)) {
    return [
      'Traceback (most recent call last):',
      '  File "/app/cart/views.py", line 88, in add_item',
      '    item = Item.objects.get(pk=item_id)',
      '  File "/usr/local/lib/python3.12/site-packages/django/db/models/manager.py", line 87, in manager_method',
      '    return getattr(self.get_queryset(), name)(*args, **kwargs)',
      `cart.errors.ItemNotFound: item ${c.seq} does not exist`,
    ].map((text) => ({ stream: 'stderr' as const, text }))
  }
  return jsonLog(c, 'cart', { logger: 'cart.views' })
}

/**
 * Spring Boot 3's default console pattern: ISO time, level, pid, `---`, application name, thread, the
 * tracing correlation id (`[traceId-spanId]`, with Micrometer Tracing) and the logger padded to 40.
 */
function java(c: EventContext): OutputLine[] {
  const { rng } = c
  const head = `${new Date(c.ms).toISOString()}`
  const thread = `[nio-8080-exec-${1 + rng.int(9)}]`
  const corr = `[${rng.hex(32)}-${rng.hex(16)}]`
  if (rng.chance(0.01)) {
    return [
      `${head} ERROR 1 --- [checkout] ${thread} ${corr} c.e.checkout.OrderController           : Request processing failed (seq=${c.seq})`,
      'java.lang.IllegalStateException: Payment declined for order',
      '\tat com.example.checkout.PaymentClient.authorize(PaymentClient.java:57)',
      '\tat com.example.checkout.OrderService.place(OrderService.java:112)',
      '\tat com.example.checkout.OrderController.post(OrderController.java:41)',
      'Caused by: java.net.SocketTimeoutException: Read timed out',
      '\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
      '\t... 42 more',
    ].map((text) => ({ stream: 'stdout' as const, text }))
  }
  const level = levelFor(rng)
  return [
    {
      stream: 'stdout',
      text: `${head} ${level.padStart(5)} 1 --- [checkout] ${thread} ${corr} c.e.checkout.OrderService              : ${messageFor(level, rng)} seq=${c.seq}`,
    },
  ]
}

function go(c: EventContext): OutputLine[] {
  if (c.rng.chance(0.005)) {
    return [
      `panic: runtime error: invalid memory address or nil pointer dereference [seq ${c.seq}]`,
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6a4f1c]',
      '',
      'goroutine 42 [running]:',
      'main.(*Handler).Charge(0xc000124000, {0x7f1c40, 0xc0001a6000})',
      '\t/src/payment/handler.go:73 +0x1c',
      'net/http.HandlerFunc.ServeHTTP(0xc000136000?, {0x7f1c40?, 0xc0001a6000?}, 0x0?)',
      '\t/usr/local/go/src/net/http/server.go:2166 +0x29',
    ].map((text) => ({ stream: 'stderr' as const, text }))
  }
  return jsonLog(c, 'payment-api', { caller: 'handler/charge.go:88' })
}

function coredns(c: EventContext): OutputLine[] {
  const { rng } = c
  const name = rng.pick(['cart.shop.svc.cluster.local.', 'payment-api.payments.svc.cluster.local.', 'example.com.'])
  return [
    {
      stream: 'stdout',
      text: `[INFO] ${ip(rng)}:${30000 + rng.int(30000)} - ${c.seq} "A IN ${name} udp 58 false 512" NOERROR qr,aa,rd 106 0.000${100 + rng.int(900)}s`,
    },
  ]
}

export function eventLines(kind: LogKind, c: EventContext): OutputLine[] {
  switch (kind) {
    case 'ingress':
      return ingress(c)
    case 'nginx':
      return nginx(c)
    case 'python':
      return python(c)
    case 'java':
      return java(c)
    case 'go':
      return go(c)
    case 'node':
      return jsonLog(c, 'auth', { user: c.rng.pick(users) })
    case 'coredns':
      return coredns(c)
  }
}

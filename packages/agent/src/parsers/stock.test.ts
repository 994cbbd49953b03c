// Every stock parser on a realistic line: the fields, in order, and the record time. (Regression
// table; values follow from the patterns of Fluent Bit's conf/parsers.conf under Onigmo semantics.)

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createParserRegistry } from './index.ts'

const SAMPLES: Record<string, string> = {
  apache2:
    '10.0.0.1 - - [22/Nov/2026:07:30:00 +0000] "POST /api/items?id=1 HTTP/1.1" 201 512 "https://ref.example/" "Mozilla/5.0 (X11; Linux)"',
  apache_error:
    '[Sun Nov 22 07:30:00.123456 2026] [core:error] [pid 1234] [client 10.0.0.2:5050] AH00126: Invalid URI in request',
  nginx: '10.0.0.3 - bob [22/Nov/2026:07:30:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.30"',
  'k8s-nginx-ingress':
    '10.0.0.4 - - [22/Nov/2026:07:30:00 +0000] "GET /shop HTTP/2.0" 200 1234 "-" "curl/8.5" 120 0.005 [default-shop-80] [] 10.244.1.7:8080 1234 0.004 200 5e8f2c1a9b',
  'docker-daemon': 'time="2026-11-22T07:30:00.123456789Z" level=info msg="Container started" container=abc',
  'syslog-rfc3164': '<34>Nov 22 07:30:00 myhost sshd[4321]: Accepted publickey for root',
  'syslog-rfc3164-local': '<13>Nov 22 07:30:00 cron[99]: job done',
  syslog: '<13>Nov 22 07:30:00 host app: started',
  mongodb: '2026-11-22T07:30:00.123+0000 I NETWORK  [conn42] end connection 10.0.0.5:51234 12ms',
  envoy:
    '[2026-11-22T07:30:00.123Z] "GET /api HTTP/1.1" 200 - 0 15 3 2 "10.0.0.6" "curl/8.5" "abc-123" "api.local" "10.244.0.9:8080"',
  'istio-envoy-proxy':
    '[2026-11-22T07:30:00.123Z] "GET /api HTTP/1.1" 200 - via_upstream - "-" 0 15 3 2 "10.0.0.6" "curl/8.5" "abc-123" api.local" "10.244.0.9:8080" outbound|80||api.default.svc.cluster.local 10.244.0.8:40000 10.96.0.10:80 10.244.0.8:39999 - default',
  'kmsg-netfilter-log':
    '<4>1 2026-11-22T07:30:00.123+00:00 node1 kernel - - - [12345.678] DROP IN=eth0 OUT= MAC=aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:08:00 SRC=10.0.0.7 DST=10.0.0.8 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=54321 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0',
}

const EXPECTED: Record<string, unknown> = {
  apache2: {
    body: {
      host: '10.0.0.1',
      user: '-',
      method: 'POST',
      path: '/api/items?id=1',
      code: '201',
      size: '512',
      referer: 'https://ref.example/',
      agent: 'Mozilla/5.0 (X11; Linux)',
    },
    sec: 1795332600,
    nsec: 0,
  },
  apache_error: {
    body: {
      time: 'Nov 22 07:30:00.123456 2026',
      level: 'core:error',
      pid: '1234',
      client: '10.0.0.2:5050',
      message: 'AH00126: Invalid URI in request',
    },
  },
  nginx: {
    body: {
      remote: '10.0.0.3',
      host: '-',
      user: 'bob',
      method: 'GET',
      path: '/healthz',
      code: '200',
      size: '2',
      referer: '-',
      agent: 'kube-probe/1.30',
    },
    sec: 1795332600,
    nsec: 0,
  },
  'k8s-nginx-ingress': {
    body: {
      host: '10.0.0.4',
      user: '-',
      method: 'GET',
      path: '/shop',
      code: '200',
      size: '1234',
      referer: '-',
      agent: 'curl/8.5',
      request_length: '120',
      request_time: '0.005',
      proxy_upstream_name: 'default-shop-80',
      upstream_addr: '10.244.1.7:8080',
      upstream_response_length: '1234',
      upstream_response_time: '0.004',
      upstream_status: '200',
      reg_id: '5e8f2c1a9b',
    },
    sec: 1795332600,
    nsec: 0,
  },
  'docker-daemon': {
    body: {
      time: '2026-11-22T07:30:00.123456789Z',
      level: 'info',
      msg: 'Container started',
    },
    sec: 1795332600,
    nsec: 123456789,
  },
  'syslog-rfc3164': {
    body: {
      pri: '34',
      time: 'Nov 22 07:30:00',
      host: 'myhost',
      ident: 'sshd',
      pid: '4321',
      message: 'Accepted publickey for root',
    },
    sec: 1795332600,
    nsec: 0,
  },
  'syslog-rfc3164-local': {
    body: {
      pri: '13',
      time: 'Nov 22 07:30:00',
      ident: 'cron',
      pid: '99',
      message: 'job done',
    },
    sec: 1795332600,
    nsec: 0,
  },
  syslog: {
    body: {
      pri: '13',
      host: 'host',
      ident: 'app',
      message: 'started',
    },
    sec: 1795332600,
    nsec: 0,
  },
  mongodb: {
    body: {
      time: '2026-11-22T07:30:00.123+0000',
      severity: 'I',
      component: 'NETWORK',
      context: 'conn42',
      message: 'end connection 10.0.0.5:51234',
      ms: '12',
    },
    sec: 1795332600,
    nsec: 123000000,
  },
  envoy: {
    body: {
      start_time: '2026-11-22T07:30:00.123Z',
      method: 'GET',
      path: '/api',
      protocol: 'HTTP/1.1',
      code: '200',
      response_flags: '-',
      bytes_received: '0',
      bytes_sent: '15',
      duration: '3',
      x_envoy_upstream_service_time: '2',
      x_forwarded_for: '10.0.0.6',
      user_agent: 'curl/8.5',
      request_id: 'abc-123',
      authority: 'api.local',
      upstream_host: '10.244.0.9:8080',
    },
    sec: 1795332600,
    nsec: 123000000,
  },
  'istio-envoy-proxy': {
    body: {
      start_time: '2026-11-22T07:30:00.123Z',
      method: 'GET',
      path: '/api',
      protocol: 'HTTP/1.1',
      response_code: '200',
      response_flags: '-',
      response_code_details: 'via_upstream',
      connection_termination_details: '-',
      upstream_transport_failure_reason: '"-"',
      bytes_received: '0',
      bytes_sent: '15',
      duration: '3',
      x_envoy_upstream_service_time: '2',
      x_forwarded_for: '10.0.0.6',
      user_agent: 'curl/8.5',
      x_request_id: 'abc-123',
      authority: 'api.local',
      upstream_host: '10.244.0.9:8080',
      upstream_cluster: 'outbound|80||api.default.svc.cluster.local',
      upstream_local_address: '10.244.0.8:40000',
      downstream_local_address: '10.96.0.10:80',
      downstream_remote_address: '10.244.0.8:39999',
      requested_server_name: '-',
      route_name: 'default',
    },
    sec: 1795332600,
    nsec: 123000000,
  },
  'kmsg-netfilter-log': {
    body: {
      pri: '4',
      host: 'node1',
      logprefix: 'DROP',
      in: 'eth0',
      macsrc: 'aa:bb:cc:dd:ee:ff',
      macdst: '11:22:33:44:55:66',
      ethtype: '08:00',
      saddr: '10.0.0.7',
      daddr: '10.0.0.8',
      len: '60',
      tos: '0x00',
      prec: '0x00',
      ttl: '64',
      id: '54321',
      proto: 'TCP',
      sport: '40000',
      dport: '22',
      window: '29200',
      res: '0x00',
      flag: 'SYN',
      urgp: '0',
    },
    sec: 1795332600,
    nsec: 123000000,
  },
}

// Syslog's `%b %d %H:%M:%S` has no year: the current one is used.
const YEARLESS = new Set(['syslog-rfc3164', 'syslog-rfc3164-local', 'syslog'])

describe('stock parsers on sample lines', () => {
  const { registry } = createParserRegistry([])
  const thisYear = Date.UTC(new Date().getUTCFullYear(), 10, 22, 7, 30) / 1000
  for (const [name, line] of Object.entries(SAMPLES)) {
    it(name, () => {
      const r = registry.get(name)!.parse(line)
      const want = EXPECTED[name] as { sec?: number }
      assert.deepEqual(r, YEARLESS.has(name) ? { ...want, sec: thisYear } : want)
      // Key order is part of the output (JSON, msgpack print).
      assert.deepEqual(Object.keys(r!.body), Object.keys((EXPECTED[name] as { body: object }).body))
    })
  }
})

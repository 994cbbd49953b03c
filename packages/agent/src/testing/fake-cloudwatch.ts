// A stand-in for Amazon CloudWatch Logs (which cannot run here), speaking the documented wire format
// of the calls Sluice makes (Amazon CloudWatch Logs API Reference; JSON 1.1 protocol): POST / with
// `X-Amz-Target: Logs_20140328.<Action>` and a SigV4 Authorization header for service `logs`;
// CreateLogGroup, PutRetentionPolicy, CreateLogStream, PutLogEvents with the service's checks
// (existence, at most 10,000 events and 1,048,576 bytes counted as UTF-8 + 26 per event,
// chronological order, 24-hour span, non-empty messages) and answers (200 with nextSequenceToken and
// rejectedLogEventsInfo for events more than 14 days old or 2 hours ahead; 400 with
// `{"__type", "message"}` errors). Faults can be queued per action.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StoredEvent {
  readonly timestamp: number
  readonly message: string
}

export interface FakeCloudwatch {
  readonly url: string
  readonly groups: Map<string, { retentionInDays?: number; streams: Map<string, StoredEvent[]> }>
  /** Every call in order: action and the parsed body. */
  readonly calls: Array<{ action: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }>
  /** The next call of `action` answers with this error instead (status 400 unless given). */
  failNext(action: string, type: string, status?: number, times?: number): void
  /** The time the service takes as now (ms); defaults to the real clock. */
  now: () => number
  close(): Promise<void>
}

const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]

export async function startFakeCloudwatch(region = 'ap-northeast-2'): Promise<FakeCloudwatch> {
  const groups: FakeCloudwatch['groups'] = new Map()
  const calls: FakeCloudwatch['calls'] = []
  const faults: Array<{ action: string; type: string; status: number; left: number }> = []
  let token = 0
  const fake = {
    url: '',
    groups,
    calls,
    now: () => Date.now(),
    failNext(action: string, type: string, status = 400, times = 1) {
      faults.push({ action, type, status, left: times })
    },
    close: async () => {},
  } as FakeCloudwatch & { url: string; close(): Promise<void> }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` })
    res.end(text)
  }
  const err = (res: ServerResponse, type: string, message: string, status = 400) =>
    send(res, status, { __type: type, message })

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const target = String(req.headers['x-amz-target'] ?? '')
    const auth = String(req.headers.authorization ?? '')
    if (req.method !== 'POST' || req.url !== '/') return err(res, 'UnknownOperationException', 'POST / only', 404)
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/logs\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(
        auth,
      )
    )
      return err(res, 'IncompleteSignatureException', `bad or missing SigV4 Authorization: ${auth.slice(0, 80)}`)
    if (!auth.includes(`/${region}/logs/`))
      return err(res, 'InvalidSignatureException', `credential scope is not ${region}`)
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1'))
      return err(res, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1')
    const m = /^Logs_20140328\.(\w+)$/.exec(target)
    if (!m) return err(res, 'UnknownOperationException', `unknown target ${target}`)
    const action = m[1]!
    let body: Record<string, any>
    try {
      body = JSON.parse(raw)
    } catch {
      return err(res, 'SerializationException', 'body is not JSON')
    }
    calls.push({ action, body, headers: req.headers })
    const f = faults.find((x) => x.action === action && x.left > 0)
    if (f) {
      f.left--
      return err(res, f.type, `injected ${f.type}`, f.status)
    }
    const group = groups.get(body.logGroupName)
    switch (action) {
      case 'CreateLogGroup':
        if (group) return err(res, 'ResourceAlreadyExistsException', 'The specified log group already exists')
        groups.set(body.logGroupName, { streams: new Map() })
        return send(res, 200, {})
      case 'PutRetentionPolicy':
        if (!group) return err(res, 'ResourceNotFoundException', 'The specified log group does not exist.')
        if (!RETENTION_DAYS.includes(body.retentionInDays))
          return err(res, 'InvalidParameterException', `retentionInDays ${body.retentionInDays} is not a valid value`)
        group.retentionInDays = body.retentionInDays
        return send(res, 200, {})
      case 'CreateLogStream':
        if (!group) return err(res, 'ResourceNotFoundException', 'The specified log group does not exist.')
        if (group.streams.has(body.logStreamName))
          return err(res, 'ResourceAlreadyExistsException', 'The specified log stream already exists')
        group.streams.set(body.logStreamName, [])
        return send(res, 200, {})
      case 'PutLogEvents': {
        if (!group) return err(res, 'ResourceNotFoundException', 'The specified log group does not exist.')
        const stream = group.streams.get(body.logStreamName)
        if (!stream) return err(res, 'ResourceNotFoundException', 'The specified log stream does not exist.')
        const events = body.logEvents as StoredEvent[]
        if (!Array.isArray(events) || events.length === 0 || events.length > 10_000)
          return err(res, 'InvalidParameterException', '1 to 10000 log events per call')
        let size = 0
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!
          if (typeof e.message !== 'string' || e.message.length === 0)
            return err(res, 'InvalidParameterException', `logEvents.${i + 1}.message must not be empty`)
          size += Buffer.byteLength(e.message, 'utf8') + 26
          if (i > 0 && e.timestamp < events[i - 1]!.timestamp)
            return err(
              res,
              'InvalidParameterException',
              'Log events in a single PutLogEvents request must be in chronological order.',
            )
        }
        if (size > 1_048_576) return err(res, 'InvalidParameterException', `batch of ${size} bytes exceeds 1048576`)
        if (events.at(-1)!.timestamp - events[0]!.timestamp > 24 * 3600 * 1000)
          return err(
            res,
            'InvalidParameterException',
            'A batch of log events in a single request cannot span more than 24 hours.',
          )
        const now = fake.now()
        let tooOldEnd = 0
        while (tooOldEnd < events.length && events[tooOldEnd]!.timestamp < now - 14 * 86_400_000) tooOldEnd++
        let tooNewStart = events.length
        while (tooNewStart > 0 && events[tooNewStart - 1]!.timestamp > now + 2 * 3_600_000) tooNewStart--
        for (let i = tooOldEnd; i < tooNewStart; i++)
          stream.push({ timestamp: events[i]!.timestamp, message: events[i]!.message })
        const info: Record<string, number> = {}
        if (tooOldEnd > 0) info.tooOldLogEventEndIndex = tooOldEnd
        if (tooNewStart < events.length) info.tooNewLogEventStartIndex = tooNewStart
        return send(res, 200, {
          nextSequenceToken: String(++token).padStart(56, '0'),
          ...(Object.keys(info).length > 0 ? { rejectedLogEventsInfo: info } : {}),
        })
      }
      default:
        return err(res, 'UnknownOperationException', `unsupported action ${action}`)
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return fake
}

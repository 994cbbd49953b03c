// Small HTTP helpers shared by the ingest and query listeners: bounded body reading with
// Content-Encoding (gzip, deflate), JSON replies, and the query API's error shape.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { createGunzip, createInflate } from 'node:zlib'
import { BufferPool } from '../buffer-pool.ts'

export class HttpError extends Error {
  readonly status: number
  readonly type: string
  readonly position?: number
  constructor(status: number, type: string, reason: string, position?: number) {
    super(reason)
    this.status = status
    this.type = type
    this.position = position
  }
}

/** A request body in a buffer of the pool (readBodyPooled); `release` gives the buffer back. */
export interface PooledBody {
  readonly body: Buffer
  /** Call once nothing refers to `body` any more (its bytes are reused by a later request). */
  release(): void
}

/** Body buffers, reused: a fresh multi-MB allocation per request cost more than copying into it. */
const bodyPool = new BufferPool({ buffers: 8, bufferBytes: 8 * 1024 * 1024, totalBytes: 32 * 1024 * 1024 })

/**
 * readBody for the bulk path: an uncompressed body with a Content-Length is read into a reused buffer
 * instead of chunks joined into a new one (measured: joining 1.7 MB of 64 KiB chunks into a fresh
 * buffer 0.3–1 ms, copying them into a reused one 0.07 ms). Other bodies are read by readBody.
 */
export async function readBodyPooled(req: IncomingMessage, limit: number): Promise<PooledBody> {
  const enc = String(req.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim()
  const declared = Number(req.headers['content-length'])
  if ((enc !== '' && enc !== 'identity') || !Number.isSafeInteger(declared) || declared <= 0 || declared > limit)
    return { body: await readBody(req, limit), release: () => {} }
  const buf = bodyPool.take(declared)
  let n = 0
  try {
    for await (const c of req) {
      const chunk = c as Buffer
      // (Node's HTTP parser delivers no more than Content-Length bytes)
      if (n + chunk.length > declared) throw new Error('body longer than its Content-Length')
      chunk.copy(buf, n)
      n += chunk.length
    }
  } catch (e) {
    throw new HttpError(400, 'parse_exception', `cannot read the request body: ${(e as Error).message}`)
  }
  let released = false
  return {
    body: buf.subarray(0, n),
    release: () => {
      if (released) return
      released = true
      bodyPool.give(buf)
    },
  }
}

/** Reads the whole body (decompressed), refusing more than `limit` bytes after decompression. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const enc = String(req.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim()
  let stream: Readable = req
  if (enc === 'gzip' || enc === 'x-gzip') stream = req.pipe(createGunzip())
  else if (enc === 'deflate') stream = req.pipe(createInflate())
  else if (enc !== '' && enc !== 'identity')
    throw new HttpError(
      415,
      'illegal_argument_exception',
      `unsupported Content-Encoding '${enc}' (use gzip or deflate)`,
    )
  const chunks: Buffer[] = []
  let n = 0
  try {
    for await (const c of stream) {
      n += (c as Buffer).length
      if (n > limit) {
        req.resume()
        throw new HttpError(413, 'content_too_long_exception', `request body is larger than ${limit} bytes`)
      }
      chunks.push(c as Buffer)
    }
  } catch (e) {
    if (e instanceof HttpError) throw e
    throw new HttpError(400, 'parse_exception', `cannot read the request body: ${(e as Error).message}`)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

export function sendJson(res: ServerResponse, status: number, body: unknown, pretty = false): void {
  const text = pretty ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The query API's error shape (API.md). */
export function sendApiError(res: ServerResponse, e: unknown): void {
  if (e instanceof HttpError) {
    const error: Record<string, unknown> = { type: e.type, reason: e.message }
    if (e.position !== undefined) error.position = e.position
    sendJson(res, e.status, { error })
    return
  }
  sendJson(res, 500, { error: { type: 'internal', reason: (e as Error).message ?? String(e) } })
}

export async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  const buf = await readBody(req, limit)
  if (buf.length === 0) return {}
  let v: unknown
  try {
    v = JSON.parse(buf.toString('utf8'))
  } catch (e) {
    throw new HttpError(400, 'bad_request', `cannot parse the request body as JSON: ${(e as Error).message}`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new HttpError(400, 'bad_request', 'the request body must be a JSON object')
  return v as Record<string, unknown>
}

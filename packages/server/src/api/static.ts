// Serves the built web UI (packages/web/dist). Unknown paths get index.html (the UI routes on the
// client); a path that would leave the directory after decoding is refused.

import { createReadStream, existsSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { sendText } from '../http/util.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=UTF-8',
  '.js': 'text/javascript; charset=UTF-8',
  '.mjs': 'text/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=UTF-8',
}

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed\n')
    return
  }
  const base = resolve(root)
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    sendText(res, 400, 'bad path encoding\n')
    return
  }
  if (pathname.includes('\0')) {
    sendText(res, 400, 'bad path\n')
    return
  }
  const target = resolve(base, `.${pathname}`)
  if (target !== base && !target.startsWith(base + sep)) {
    sendText(res, 403, 'forbidden\n')
    return
  }
  let file = target
  if (!existsSync(file) || !statSync(file).isFile()) {
    file = join(base, 'index.html')
    if (!existsSync(file)) {
      sendText(res, 404, 'The web UI is not built: run `npm run build -w packages/web` (the query API is at /api).\n')
      return
    }
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream'
  const size = statSync(file).size
  // Hashed asset names change with their content; index.html must always be revalidated.
  const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
  res.writeHead(200, {
    'content-type': type,
    'content-length': size,
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file).pipe(res)
}

// Server-sent events over fetch (WHATWG HTML §9.2 "Server-sent events", event stream interpretation),
// instead of EventSource, because EventSource cannot send the Authorization header. The parser is pure;
// the client reconnects with Last-Event-ID so the tail resumes without loss (API.md /api/tail).

export interface SseEvent {
  id: string | undefined
  event: string
  data: string
}

/** Incremental parser: feed text chunks, get complete events. Handles \n, \r\n and \r line ends. */
export class SseParser {
  #buf = ''
  #data: string[] = []
  #event = ''
  #id: string | undefined
  lastEventId: string | undefined

  push(chunk: string): SseEvent[] {
    this.#buf += chunk
    const out: SseEvent[] = []
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buf)
      if (!m) break
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more input.
      if (m[0] === '\r' && m.index === this.#buf.length - 1) break
      const line = this.#buf.slice(0, m.index)
      this.#buf = this.#buf.slice(m.index + m[0].length)
      this.#line(line, out)
    }
    return out
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.#id !== undefined) this.lastEventId = this.#id
      if (this.#data.length > 0) {
        out.push({ id: this.lastEventId, event: this.#event || 'message', data: this.#data.join('\n') })
      }
      this.#data = []
      this.#event = ''
      this.#id = undefined
      return
    }
    if (line.startsWith(':')) return // comment, e.g. the server's `: ping`
    const colon = line.indexOf(':')
    const name = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'data') this.#data.push(value)
    else if (name === 'event') this.#event = value
    else if (name === 'id' && !value.includes('\u0000')) this.#id = value
  }
}

export interface TailHandle {
  close(): void
}

/**
 * Follows `url` and calls `onEvent` for each event; on a dropped connection waits and reconnects with
 * the last event id. `onState` reports 'open' | 'reconnecting' | 'error' for the UI.
 */
export function followEvents(
  url: string,
  headers: Record<string, string>,
  onEvent: (e: SseEvent) => void,
  onState: (state: 'open' | 'reconnecting' | 'error', detail?: string) => void,
): TailHandle {
  const ctl = new AbortController()
  const parser = new SseParser()
  let closed = false
  const run = async () => {
    let delay = 500
    while (!closed) {
      try {
        const res = await fetch(url, {
          headers: {
            accept: 'text/event-stream',
            ...headers,
            ...(parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}),
          },
          signal: ctl.signal,
        })
        if (!res.ok || !res.body) {
          let reason = `HTTP ${res.status}`
          try {
            reason = (await res.json()).error.reason ?? reason
          } catch {}
          onState('error', reason)
          // 4xx will not get better by retrying (bad query, no token).
          if (res.status >= 400 && res.status < 500) return
        } else {
          onState('open')
          delay = 500
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
          for (;;) {
            const { value, done } = await reader.read()
            if (done) break
            for (const e of parser.push(value)) onEvent(e)
          }
        }
      } catch (err) {
        if (closed) return
        onState('reconnecting', (err as Error).message)
      }
      if (closed) return
      onState('reconnecting')
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 2, 10_000)
    }
  }
  void run()
  return {
    close() {
      closed = true
      ctl.abort()
    },
  }
}

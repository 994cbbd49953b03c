// Fluent Bit-style log lines: `[2026/11/22 07:30:00] [ info] [input:tail:tail.0] message`.
// Written to stderr so that stdout stays free for the `stdout` output's records.

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 }
const LABEL: Record<Exclude<LogLevel, 'off'>, string> = {
  error: 'error',
  warn: ' warn',
  info: ' info',
  debug: 'debug',
  trace: 'trace',
}

export interface Logger {
  error(msg: string): void
  warn(msg: string): void
  info(msg: string): void
  debug(msg: string): void
  trace(msg: string): void
  /** A logger whose lines carry `[scope]`, e.g. `input:tail:tail.0`. */
  child(scope: string): Logger
  enabled(level: LogLevel): boolean
}

export interface LoggerOptions {
  level?: LogLevel
  write?: (line: string) => void
}

export function createLogger(opts: LoggerOptions = {}, scope?: string): Logger {
  const level = RANK[opts.level ?? 'info']
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const emit = (l: Exclude<LogLevel, 'off'>, msg: string) => {
    if (RANK[l] > level) return
    write(`[${stamp()}] [${LABEL[l]}] ${scope ? `[${scope}] ` : ''}${msg}`)
  }
  return {
    error: (m) => emit('error', m),
    warn: (m) => emit('warn', m),
    info: (m) => emit('info', m),
    debug: (m) => emit('debug', m),
    trace: (m) => emit('trace', m),
    child: (s) => createLogger(opts, s),
    enabled: (l) => RANK[l] <= level,
  }
}

function stamp(): string {
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(level: LogLevel = 'trace'): Logger & { lines: string[] } {
  const lines: string[] = []
  const l = createLogger({ level, write: (line) => lines.push(line) })
  return Object.assign(l, { lines })
}

// Fluent Bit's built-in multiline parsers, re-expressed from their definitions
// (src/multiline/flb_ml_parser_{cri,docker,go,java,python,ruby}.c):
//
// - cri: pre-parses `TIME STREAM P|F LOG` (CRI logging format, kubelet `logs` spec), type `equal`
//   on key_pattern `_p` = `F`, grouped by `stream`, content `log`. Time keep on: the joined record is
//   `{time, stream, _p, log}` of the FIRST part with `log` = all parts concatenated.
// - docker: pre-parses Docker json-file lines, type `endswith` "\n" on `log`, grouped by `stream`.
//   Docker splits lines longer than 16 KiB into records whose `log` does not end with "\n".
// - go, java, python, ruby: regex state machines over the content (no pre-parser, no group).
//
// FLB_ML_FLUSH_TIMEOUT is 4000 ms for all of them.

import { parseRfc3339 } from './time.ts'
import type { MultilineParserDef, PreParsed } from './definition.ts'
import { compileRules, type RuleSpec } from './rules.ts'

export const DEFAULT_FLUSH_MS = 4000

/** Splits a CRI log line (fast path: no regex). Null when it is not one. */
export function parseCriLine(line: string): PreParsed | null {
  const a = line.indexOf(' ')
  if (a <= 0) return null
  let b: number
  let stream: string
  if (line.startsWith('stdout ', a + 1)) {
    stream = 'stdout'
    b = a + 7
  } else if (line.startsWith('stderr ', a + 1)) {
    stream = 'stderr'
    b = a + 7
  } else return null
  const tag = line[b + 1]
  if ((tag !== 'F' && tag !== 'P') || line.charCodeAt(b + 2) !== 32) {
    // `F` or `P` must be followed by a space (an empty log still has it).
    if (!((tag === 'F' || tag === 'P') && b + 2 === line.length)) return null
  }
  const time = line.slice(0, a)
  let log = line.length > b + 3 ? line.slice(b + 3) : ''
  if (log.endsWith('\r')) log = log.slice(0, -1)
  const body = { time, stream, _p: tag, log }
  const t = parseRfc3339(time)
  return t ? { body, sec: t.sec, nsec: t.nsec } : { body }
}

/** Parses a Docker json-file line: `{"log":"…\n","stream":"stdout","time":"…"}`. */
export function parseDockerLine(line: string): PreParsed | null {
  if (line.charCodeAt(0) !== 123 /* { */) return null
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
  const body = v as Record<string, unknown>
  if (typeof body.time === 'string') {
    const t = parseRfc3339(body.time)
    if (t) return { body, sec: t.sec, nsec: t.nsec }
  }
  return { body }
}

const JAVA: RuleSpec[] = [
  {
    state: 'start_state, java_start_exception',
    regex: '/(.)(?:Exception|Error|Throwable|V8 errors stack trace)[:\\r\\n]/',
    next: 'java_after_exception',
  },
  { state: 'java_after_exception', regex: '/^[\\t ]*nested exception is:[\\t ]*/', next: 'java_start_exception' },
  { state: 'java_after_exception', regex: '/^[\\r\\n]*$/', next: 'java_after_exception' },
  { state: 'java_after_exception, java', regex: '/^[\\t ]+(?:eval )?at /', next: 'java' },
  { state: 'java_after_exception, java', regex: '/^[\\t ]+--- End of inner exception stack trace ---$/', next: 'java' },
  {
    state: 'java_after_exception, java',
    regex: '/^--- End of stack trace from previous location where exception was thrown ---$/',
    next: 'java',
  },
  { state: 'java_after_exception, java', regex: '/^[\\t ]*(?:Caused by|Suppressed):/', next: 'java_after_exception' },
  { state: 'java_after_exception, java', regex: '/^[\\t ]*... \\d+ (?:more|common frames omitted)/', next: 'java' },
]

const PYTHON: RuleSpec[] = [
  { state: 'start_state', regex: '/^Traceback \\(most recent call last\\):$/', next: 'python' },
  { state: 'python', regex: '/^[\\t ]+File /', next: 'python_code' },
  { state: 'python_code', regex: '/[^\\t ]/', next: 'python' },
  { state: 'python', regex: '/^(?:[^\\s.():]+\\.)*[^\\s.():]+:/', next: 'start_state' },
]

const GO: RuleSpec[] = [
  { state: 'start_state', regex: '/\\bpanic: /', next: 'go_after_panic' },
  { state: 'start_state', regex: '/http: panic serving/', next: 'go_goroutine' },
  { state: 'go_after_panic', regex: '/^$/', next: 'go_goroutine' },
  { state: 'go_after_panic, go_after_signal, go_frame_1', regex: '/^$/', next: 'go_goroutine' },
  { state: 'go_after_panic', regex: '/^\\[signal /', next: 'go_after_signal' },
  { state: 'go_goroutine', regex: '/^goroutine \\d+ \\[[^\\]]+\\]:$/', next: 'go_frame_1' },
  { state: 'go_frame_1', regex: '/^(?:[^\\s.:]+\\.)*[^\\s.():]+\\(|^created by /', next: 'go_frame_2' },
  { state: 'go_frame_2', regex: '/^\\s/', next: 'go_frame_1' },
]

const RUBY: RuleSpec[] = [
  { state: 'start_state, ruby_start_exception', regex: '/^.+:\\d+:in\\s+.*/', next: 'ruby_after_exception' },
  { state: 'ruby_after_exception, ruby', regex: '/^\\s+from\\s+.*:\\d+:in\\s+.*/', next: 'ruby' },
]

function regexParser(name: string, rules: RuleSpec[]): MultilineParserDef {
  return {
    name,
    type: 'regex',
    negate: false,
    flushMs: DEFAULT_FLUSH_MS,
    keyContent: 'log',
    rules: compileRules(rules),
  }
}

export function builtinParsers(): MultilineParserDef[] {
  return [
    {
      name: 'cri',
      type: 'equal',
      matchString: 'F',
      negate: false,
      flushMs: DEFAULT_FLUSH_MS,
      keyContent: 'log',
      keyGroup: 'stream',
      keyPattern: '_p',
      preParse: parseCriLine,
      acceptParsed: true,
    },
    {
      name: 'docker',
      type: 'endswith',
      matchString: '\n',
      negate: false,
      flushMs: DEFAULT_FLUSH_MS,
      keyContent: 'log',
      keyGroup: 'stream',
      preParse: parseDockerLine,
      acceptParsed: true,
    },
    regexParser('go', GO),
    regexParser('java', JAVA),
    regexParser('python', PYTHON),
    regexParser('ruby', RUBY),
  ]
}

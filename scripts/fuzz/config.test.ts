// Property-based tests (fast-check, bounded runs) of the config loader (loadConfig with LoadOptions
// text): classic and YAML texts assembled from the pieces real configs are made of, and plain
// garbage. The loader never throws; it returns a config whose every problem is a diagnostic with a
// message and, when it has a place, a file and a line inside the text.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { loadConfig } from '../../packages/core/src/config/load.ts'

const RUNS = { numRuns: 400, seed: 20261122 } as const

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-fuzz-config-'))
})
after(() => rm(dir, { recursive: true, force: true }))

const word = fc.oneof(
  fc.constantFrom(
    'Name',
    'Match',
    'Path',
    'Tag',
    'Parser',
    'Flush',
    'Log_Level',
    'tail',
    'es',
    'grep',
    'cri',
    '*',
    'kube.*',
  ),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's ${VAR} syntax, on purpose
  fc.constantFrom('${HOME}', '${UNSET}', '$', '${', '"quoted"', "'q'", '#', ';', '=', '\\', '\t'),
  fc.string({ maxLength: 10 }),
)
const classicLine = fc.oneof(
  fc.constantFrom(
    '[SERVICE]',
    '[INPUT]',
    '[FILTER]',
    '[OUTPUT]',
    '[PARSER]',
    '[MULTILINE_PARSER]',
    '[',
    '[]',
    '[INPUT',
  ),
  fc
    .tuple(fc.constantFrom('    ', '  ', '\t', ''), word, fc.constantFrom(' ', '  ', '\t', ''), word)
    .map((p) => p.join('')),
  fc.constantFrom(
    '@INCLUDE missing.conf',
    '@INCLUDE *.conf',
    '@SET a=b',
    '@SET',
    '@INCLUDE',
    '@',
    '  @ x',
    '# comment',
    '',
  ),
  fc.string({ maxLength: 30 }),
)
const classicText = fc.array(classicLine, { maxLength: 25 }).map((l) => l.join('\n'))

const yamlLine = fc.oneof(
  fc.constantFrom('service:', 'pipeline:', '  inputs:', '  outputs:', '  filters:', 'parsers:', 'includes:', 'env:'),
  fc
    .tuple(fc.constantFrom('    - ', '      ', '  ', ''), word, fc.constantFrom(': ', ':', ' '), word)
    .map((p) => p.join('')),
  fc.constantFrom(
    '---',
    '- name: tail',
    '&anchor',
    '*alias',
    'a: &x {b: 1}',
    'c: *x',
    '{',
    '[',
    '"',
    '? key',
    '!!binary x',
  ),
  fc.string({ maxLength: 30 }),
)
const yamlText = fc.array(yamlLine, { maxLength: 25 }).map((l) => l.join('\n'))

/** Diagnostics seen over all runs (the properties are not vacuous: most texts have errors). */
let seenDiagnostics = 0

async function check(name: string, text: string): Promise<void> {
  const path = join(dir, name)
  const cfg = await loadConfig(path, { text, env: { HOME: '/home/x' } })
  seenDiagnostics += cfg.diagnostics.length
  assert.ok(Array.isArray(cfg.diagnostics))
  const lines = text.split('\n').length
  for (const d of cfg.diagnostics) {
    assert.ok(d.severity === 'error' || d.severity === 'warning')
    assert.equal(typeof d.message, 'string')
    assert.ok(d.message.length > 0)
    if (d.line !== undefined && d.file === path)
      assert.ok(
        Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1,
        `line ${d.line} of ${lines}: ${d.message}`,
      )
  }
  for (const s of [...cfg.inputs, ...cfg.filters, ...cfg.outputs]) assert.ok(s.entries !== undefined)
}

test('loadConfig on classic texts never throws: a config and precise diagnostics', async () => {
  await fc.assert(
    fc.asyncProperty(classicText, (t) => check('fluent-bit.conf', t)),
    RUNS,
  )
  assert.ok(seenDiagnostics > 0)
})

test('loadConfig on YAML texts never throws: a config and precise diagnostics', async () => {
  await fc.assert(
    fc.asyncProperty(yamlText, (t) => check('fluent-bit.yaml', t)),
    RUNS,
  )
})

test('loadConfig on arbitrary text, as classic, YAML or a ConfigMap manifest, never throws', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 200 }), fc.constantFrom('a.conf', 'a.yaml', 'cm.yaml'), (t, name) =>
      check(
        name,
        name === 'cm.yaml'
          ? `apiVersion: v1\nkind: ConfigMap\ndata:\n  fluent-bit.conf: |\n    ${t.replace(/\n/g, '\n    ')}\n`
          : t,
      ),
    ),
    RUNS,
  )
})

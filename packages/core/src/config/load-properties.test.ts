// loadConfig over generated text: whatever the bytes, it returns a LoadedConfig (problems are
// diagnostics with a file and a line inside the file), never throws.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { loadConfig } from './load.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-config-fuzz-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

const piece = fc.constantFrom(
  '[INPUT]',
  '[FILTER]',
  '[OUTPUT]',
  '[MULTILINE_PARSER]',
  '[BOGUS]',
  '[',
  '    Name tail',
  '    rule "a" "/b/" "c"',
  '    rule "a',
  'Key',
  '\tKey value',
  '  Key value',
  '@INCLUDE *.conf',
  '@INCLUDE self.conf',
  '@SET a=b',
  '@SET',
  '@X',
  '# c',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
  '${A}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fluent Bit's variable syntax
  '${A:-b}',
  '${',
  'apiVersion: v1',
  'kind: ConfigMap',
  'data:',
  '  fluent-bit.conf: |',
  'pipeline:',
  '  inputs:',
  '    - name: dummy',
  '      processors: [',
  '- x',
  '',
)

for (const [name, ext] of [
  ['classic', '.conf'],
  ['YAML', '.yaml'],
  ['extension-less', ''],
] as const) {
  test(`loadConfig never throws on generated ${name} text; every diagnostic has a line`, async () => {
    const path = join(dir, `self${ext}`)
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 25 }), async (lines) => {
        await writeFile(path, lines.join('\n'))
        const c = await loadConfig(path, { env: {} })
        for (const d of c.diagnostics) {
          assert.ok(d.file, JSON.stringify(d))
          if (d.line !== undefined) assert.ok(d.line >= 1, JSON.stringify(d))
        }
      }),
      { numRuns: 150 },
    )
  })
}

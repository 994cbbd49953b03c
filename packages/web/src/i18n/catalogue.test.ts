// Both catalogues carry the same messages, and UI components take their text from them.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { en } from './en.ts'
import { detectLang, translate } from './i18n.ts'
import { ko } from './ko.ts'

const UI = fileURLToPath(new URL('../ui', import.meta.url))
const SRC = fileURLToPath(new URL('..', import.meta.url))

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

test('catalogues: Korean has exactly the English keys, none empty, same placeholders', () => {
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort())
  for (const [k, v] of Object.entries(en)) {
    const kv = (ko as Record<string, string>)[k]!
    assert.ok(v.trim() !== '' && kv.trim() !== '', `${k} is empty`)
    assert.deepEqual(placeholders(kv), placeholders(v), `${k} placeholders differ`)
  }
})

test('catalogues: Korean messages are translated, not copied', () => {
  // Names and notation may stay the same in both languages; everything else must contain Hangul.
  const same = new Set(['app.name', 'lang.en', 'lang.ko', 'time.absolute', 'detail.json'])
  for (const [k, v] of Object.entries(ko)) {
    if (same.has(k)) continue
    assert.match(v, /[가-힣]/, `ko ${k} is not Korean: ${v}`)
  }
})

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f))
}

test('every message key written in the code exists, and every message is used', () => {
  const code = sources(SRC)
    .filter((f) => !f.includes(`${join('i18n', 'en.ts')}`) && !f.includes(join('i18n', 'ko.ts')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n')
  const keys = new Set(Object.keys(en))
  for (const m of code.matchAll(/\bt\(\s*'([\w.]+)'/g)) assert.ok(keys.has(m[1]!), `unknown message key ${m[1]}`)
  // Keys built at run time: time.quick.*, time.last.*, time.error.*, state.error.*, lang.*.
  const dynamic = /^(time\.quick\.|time\.last\.|time\.error\.|state\.error\.|lang\.)/
  const unused = [...keys].filter((k) => !dynamic.test(k) && !code.includes(`'${k}'`))
  assert.deepEqual(unused, [], 'messages never used')
})

test('no hard-coded UI text in components', () => {
  const offenders: string[] = []
  for (const file of sources(UI).filter((f) => f.endsWith('.tsx'))) {
    const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')
    // Text between JSX tags on one line, and user-visible attributes given as string literals.
    for (const m of text.matchAll(/>([^<>{}\n]*[A-Za-z가-힣][^<>{}\n]*)</g)) {
      const s = m[1]!.trim()
      // TypeScript generics (`useState<Set<string>>(…)`) look like tags; they are code, not text.
      if (/^[(),.\s=]|=>|\)$/.test(m[1]!) || s === '') continue
      offenders.push(`${file}: >${s}<`)
    }
    for (const m of text.matchAll(/\b(placeholder|title|aria-label|alt|label)="([^"]*[A-Za-z가-힣][^"]*)"/g)) {
      offenders.push(`${file}: ${m[1]}="${m[2]}"`)
    }
  }
  assert.deepEqual(offenders, [])
})

test('translate: placeholders filled, unknown placeholders left visible', () => {
  assert.equal(translate('en', 'results.count', { count: '1,234' }), '1,234 hits')
  assert.equal(translate('ko', 'results.count', { count: '1,234' }), '1,234건')
  assert.equal(translate('en', 'results.count'), '{count} hits')
})

test('detectLang: stored choice, then browser languages, then English', () => {
  assert.equal(detectLang('en', ['ko-KR']), 'en')
  assert.equal(detectLang(null, ['ko-KR', 'en-US']), 'ko')
  assert.equal(detectLang(null, ['fr-FR', 'en-GB']), 'en')
  assert.equal(detectLang('xx', ['fr']), 'en')
})

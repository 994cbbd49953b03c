import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseBool, parseSize, parseTime, resolveOptions, splitWords } from './options.ts'

describe('option values', () => {
  // Fluent Bit's flb_utils_size_to_bytes is 1024-based and accepts K/KB/M/MB/G/GB in any case.
  for (const [text, bytes] of [
    ['512', 512],
    ['32k', 32 * 1024],
    ['32KB', 32 * 1024],
    ['5MB', 5 * 1024 * 1024],
    ['1.5M', 1.5 * 1024 * 1024],
    ['1G', 1024 ** 3],
  ] as const) {
    test(`size ${text}`, () => assert.equal(parseSize(text), bytes))
  }
  test('size rejects junk', () => {
    assert.equal(parseSize('5 parsecs'), undefined)
    assert.equal(parseSize(''), undefined)
  })
  for (const [text, secs] of [
    ['10', 10],
    ['1.5', 1.5],
    ['500ms', 0.5],
    ['2s', 2],
    ['5m', 300],
    ['1h', 3600],
    ['1d', 86400],
  ] as const) {
    test(`time ${text}`, () => assert.equal(parseTime(text), secs))
  }
  test('bools as Fluent Bit spells them', () => {
    for (const t of ['On', 'true', 'YES', '1']) assert.equal(parseBool(t), true)
    for (const f of ['Off', 'false', 'no', '0']) assert.equal(parseBool(f), false)
    assert.equal(parseBool('maybe'), undefined)
  })
  test('splitWords keeps the rest after maxSplit', () => {
    assert.deepEqual(splitWords('  a  b c d  ', 2), ['a', 'b', 'c d'])
    assert.deepEqual(splitWords('a b'), ['a', 'b'])
  })
})

describe('resolveOptions', () => {
  const table = {
    path: { type: 'str', required: true, description: 'files' },
    read_from_head: { type: 'bool', default: 'off', description: 'from head' },
    buffer_chunk_size: { type: 'size', default: '32k', description: 'chunk' },
    regex: { type: 'slist', maxSplit: 1, multiple: true, description: 'KEY REGEX' },
    logical_op: { type: 'str', values: ['legacy', 'and', 'or'], default: 'legacy', description: 'op' },
    allowlist_key: { type: 'str', multiple: true, aliases: ['whitelist_key'], description: 'keys' },
  } as const

  test('typed values, defaults, case-insensitive keys, repeats and aliases', () => {
    const r = resolveOptions(
      table,
      [
        { key: 'Path', value: '/var/log/*.log' },
        { key: 'Regex', value: 'log  ^ERROR .*' },
        { key: 'REGEX', value: 'stream stderr' },
        { key: 'Logical_Op', value: 'AND' },
        { key: 'Whitelist_key', value: 'log' },
      ],
      { instance: 'filter.grep.0' },
    )
    assert.deepEqual(r.diagnostics, [])
    assert.equal(r.values.path, '/var/log/*.log')
    assert.equal(r.values.read_from_head, false)
    assert.equal(r.values.buffer_chunk_size, 32768)
    assert.deepEqual(r.values.regex, [
      ['log', '^ERROR .*'],
      ['stream', 'stderr'],
    ])
    assert.equal(r.values.logical_op, 'and')
    assert.deepEqual(r.values.allowlist_key, ['log'])
  })

  test('every problem is reported at once, with file, line, instance and option', () => {
    const loc = (line: number) => ({ file: 'fluent-bit.conf', line })
    const r = resolveOptions(
      table,
      [
        { key: 'Read_From_Hed', value: 'on', loc: loc(3) },
        { key: 'Buffer_Chunk_Size', value: 'lots', loc: loc(4) },
        { key: 'Logical_Op', value: 'xor', loc: loc(5) },
      ],
      { instance: 'input.tail.0' },
    )
    const errors = r.diagnostics.filter((d) => d.severity === 'error')
    assert.equal(errors.length, 4)
    assert.match(errors[0]!.message, /unknown option 'Read_From_Hed' \(did you mean 'read_from_head'\?\)/)
    assert.equal(errors[0]!.line, 3)
    assert.equal(errors[0]!.instance, 'input.tail.0')
    assert.match(errors[1]!.message, /'lots' is not a size/)
    assert.match(errors[2]!.message, /'xor' is not one of legacy, and, or/)
    assert.match(errors[3]!.message, /missing required option 'path'/)
  })

  test('passThrough keys are handed back, not rejected', () => {
    const r = resolveOptions(
      table,
      [
        { key: 'Match', value: 'kube.*' },
        { key: 'path', value: 'x' },
      ],
      {
        instance: 'filter.x.0',
        passThrough: (k) => k === 'match',
      },
    )
    assert.deepEqual(r.diagnostics, [])
    assert.deepEqual(r.passed, [{ key: 'Match', value: 'kube.*' }])
  })
})

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseKql } from './parse.ts'
import { escapeLike, KqlCompileError, kqlToSql, type SqlFieldResolver } from './to-sql.ts'

// A resolver over a fixed schema: `msg` is full text, `ts` a timestamp, others keyword columns.
const known: Record<string, { expr: string; text?: boolean; time?: boolean }> = {
  message: { expr: 'msg', text: true },
  '@timestamp': { expr: 'ts', time: true },
  status: { expr: 'status' },
  'kubernetes.pod_name': { expr: 'pod' },
  'kubernetes.labels.app': { expr: "json_extract_string(rest, '/kubernetes/labels/app')" },
  'kubernetes.labels.tier': { expr: "json_extract_string(rest, '/kubernetes/labels/tier')" },
}
const resolver: SqlFieldResolver = {
  field: (n) => known[n],
  expand: (p) => Object.keys(known).filter((n) => new RegExp(`^${p.split('*').join('.*')}$`).test(n)),
  defaultFields: () => ['message'],
  parseDate: (t) => (t === 'now-1h' ? 1_000_000 : /^\d{4}-\d{2}-\d{2}$/.test(t) ? Date.parse(t) * 1000 : undefined),
}

function compile(q: string): { sql: string; params: unknown[] } {
  const r = parseKql(q)
  if ('error' in r) throw new Error(r.error.message)
  const params: unknown[] = []
  return { sql: kqlToSql(r.ast, resolver, params), params }
}

describe('kqlToSql', () => {
  const cases: Array<[string, string, unknown[]]> = [
    ['', 'TRUE', []],
    ['error', '(contains(lower(msg), ?))', ['error']],
    ['ERROR', '(contains(lower(msg), ?))', ['error']],
    ['disk full', '(contains(lower(msg), ?) AND contains(lower(msg), ?))', ['disk', 'full']],
    ['"disk full"', '(contains(lower(msg), ?))', ['disk full']],
    ['status:500', '((status = ? OR TRY_CAST(status AS DOUBLE) = ?))', ['500', 500]],
    ['kubernetes.pod_name:web-1', '(pod = ?)', ['web-1']],
    ['kubernetes.pod_name:web-*', "(pod LIKE ? ESCAPE '\\')", ['web-%']],
    ['kubernetes.pod_name:*a_b%*', "(pod LIKE ? ESCAPE '\\')", ['%a\\_b\\%%']],
    ['message:time*', "(lower(msg) LIKE ? ESCAPE '\\')", ['%time%%']],
    ['status >= 500', '(TRY_CAST(status AS DOUBLE) >= ?)', [500]],
    ['status < abc', '(status < ?)', ['abc']],
    ['@timestamp > now-1h', '(ts > make_timestamp(CAST(? AS BIGINT)))', [1_000_000]],
    ['kubernetes.labels.app:*', "(json_extract_string(rest, '/kubernetes/labels/app') IS NOT NULL)", []],
    ['nosuchfield:x', 'FALSE', []],
    ['not status:500', '(NOT ((status = ? OR TRY_CAST(status AS DOUBLE) = ?)) IS TRUE)', ['500', 500]],
    [
      'status:500 and not message:ok or kubernetes.pod_name:a',
      '((((status = ? OR TRY_CAST(status AS DOUBLE) = ?)) AND (NOT (contains(lower(msg), ?)) IS TRUE)) OR (pod = ?))',
      ['500', 500, 'ok', 'a'],
    ],
    ['kubernetes:{ pod_name:a }', '(pod = ?)', ['a']],
  ]
  for (const [q, sql, params] of cases) {
    test(`${q || '(empty)'} → ${sql}`, () => {
      const r = compile(q)
      assert.equal(r.sql, sql)
      assert.deepEqual(r.params, params)
    })
  }

  test('fields read from JSON text are prefiltered by a substring test of the JSON-encoded value', () => {
    const r: SqlFieldResolver = {
      ...resolver,
      field: (n) => (n === 'app' ? { expr: "json_extract_string(rest, '/app')", raw: 'rest' } : undefined),
    }
    const params: unknown[] = []
    const ast = parseKql('app:web and app:42')
    assert.ok('ast' in ast)
    assert.equal(
      kqlToSql(ast.ast, r, params),
      "((contains(rest, ?) AND json_extract_string(rest, '/app') = ?) AND (contains(rest, ?) AND (json_extract_string(rest, '/app') = ? OR TRY_CAST(json_extract_string(rest, '/app') AS DOUBLE) = ?)))",
    )
    assert.deepEqual(params, ['"web"', 'web', '42', '42', 42])
  })

  test('a field that can live in a shared part: the shared table is searched first, records match by key', () => {
    const app = "json_extract_string(rest, '/app')"
    const r: SqlFieldResolver = {
      ...resolver,
      field: (n) =>
        n === 'app'
          ? { expr: app, raw: 'rest', shared: { ref: { expr: app, raw: 'rest' }, key: 'kid', from: 'shared' } }
          : known[n],
    }
    const sql = (q: string) => {
      const params: unknown[] = []
      const ast = parseKql(q)
      assert.ok('ast' in ast)
      return { sql: kqlToSql(ast.ast, r, params), params }
    }
    assert.deepEqual(sql('app:web'), {
      sql: `((contains(rest, ?) AND ${app} = ?) OR (kid IN (SELECT id FROM shared WHERE contains(rest, ?) AND ${app} = ?)))`,
      params: ['"web"', 'web', '"web"', 'web'],
    })
    // under `not`, both parts are IS TRUE: a record without the field (NULL) is kept
    assert.deepEqual(sql('not app:* and status:5'), {
      sql: `((NOT ((${app} IS NOT NULL) IS TRUE OR (kid IN (SELECT id FROM shared WHERE ${app} IS NOT NULL)) IS TRUE)) AND ((status = ? OR TRY_CAST(status AS DOUBLE) = ?)))`,
      params: ['5', 5],
    })
    assert.deepEqual(sql('app >= 3 or app:w*').params, [3, 3, 'w%', 'w%'])
    // shared parts already looked up: a constant test on the key; the record's own condition only
    // where it has no shared part (exclusive)
    const seen: Array<[string, readonly unknown[]]> = []
    const listed: SqlFieldResolver = {
      ...resolver,
      field: (n) =>
        n === 'app'
          ? {
              expr: app,
              raw: 'rest',
              shared: {
                ref: { expr: app, raw: 'rest' },
                key: 'kid',
                from: 'shared',
                exclusive: true,
                matching: (cond, params) => {
                  seen.push([cond, params])
                  return "list_contains(['a'], kid)"
                },
              },
            }
          : known[n],
    }
    const params: unknown[] = []
    const ast = parseKql('not app:web')
    assert.ok('ast' in ast)
    assert.equal(
      kqlToSql(ast.ast, listed, params),
      `(NOT (COALESCE(list_contains(['a'], kid), contains(rest, ?) AND ${app} = ?)) IS TRUE)`,
    )
    assert.deepEqual(params, ['"web"', 'web'])
    assert.deepEqual(seen, [[`contains(rest, ?) AND ${app} = ?`, ['"web"', 'web']]])
  })

  test('a field wildcard ORs the matching fields', () => {
    const r = compile('kubernetes.labels.*:web')
    assert.equal(
      r.sql,
      "((json_extract_string(rest, '/kubernetes/labels/app') = ?) OR (json_extract_string(rest, '/kubernetes/labels/tier') = ?))",
    )
    assert.deepEqual(r.params, ['web', 'web'])
  })

  test('injection attempts stay in parameters, never in the SQL text', () => {
    const evil = [
      `"x'); DROP TABLE logs; --"`,
      `status:"1' OR '1'='1"`,
      `kubernetes.pod_name:a'b;DROP`,
      `message:"\\"; SELECT 1; --"`,
      `status > "5' OR 1=1 --"`,
    ]
    for (const q of evil) {
      const r = compile(q)
      assert.doesNotMatch(r.sql, /DROP|SELECT|OR '1'|1=1|;/, q)
      assert.ok(r.params.length > 0, q)
    }
    // An unknown field name never reaches SQL either: it matches nothing.
    assert.equal(compile(`"a'b":x`).sql.includes("a'b"), false)
  })

  test('a bad date in a range is a compile error naming the value', () => {
    assert.throws(
      () => compile('@timestamp > yesterday'),
      (e: Error) => e instanceof KqlCompileError && /'yesterday'/.test(e.message),
    )
  })

  test('escapeLike escapes %, _ and the escape character', () => {
    assert.equal(escapeLike('50%_off\\'), '50\\%\\_off\\\\')
  })
})

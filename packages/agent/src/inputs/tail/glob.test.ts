import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { compileExclude, expandPattern, patternDirectory } from './glob.ts'
import { tempDir } from './test-kit.ts'

test('expandPattern: wildcards stay within a segment, skip dot files, and are sorted', async () => {
  const { dir, cleanup } = await tempDir()
  try {
    await mkdir(join(dir, 'pods', 'a_ns', 'c1'), { recursive: true })
    await mkdir(join(dir, 'pods', 'b_ns', 'c2'), { recursive: true })
    for (const f of [
      'pods/a_ns/c1/0.log',
      'pods/b_ns/c2/0.log',
      'pods/b_ns/c2/0.log.gz',
      'x.log',
      '.hidden.log',
      'y.txt',
    ]) {
      await writeFile(join(dir, f), '')
    }
    assert.deepEqual(await expandPattern(join(dir, '*.log')), [join(dir, 'x.log')])
    assert.deepEqual(await expandPattern(join(dir, 'pods', '*', '*', '*.log')), [
      join(dir, 'pods/a_ns/c1/0.log'),
      join(dir, 'pods/b_ns/c2/0.log'),
    ])
    assert.deepEqual(await expandPattern(join(dir, '[xy].*')), [join(dir, 'x.log'), join(dir, 'y.txt')])
    assert.deepEqual(await expandPattern(join(dir, '?.log')), [join(dir, 'x.log')])
    assert.deepEqual(await expandPattern(join(dir, 'nope', '*.log')), [])
  } finally {
    await cleanup()
  }
})

test('compileExclude: fnmatch without FNM_PATHNAME, tested on the full path and the file name', () => {
  const ex = compileExclude(['*.gz', '/var/log/containers/kube-proxy*'])
  assert.equal(ex('/var/log/a/b.gz'), true)
  assert.equal(ex('/var/log/containers/kube-proxy-x_kube-system_kp-1.log'), true)
  assert.equal(ex('/var/log/containers/web_default_nginx-1.log'), false)
  assert.equal(compileExclude([])('/x'), false)
})

test('patternDirectory: the literal directory of a pattern, when it has no wildcard', () => {
  assert.equal(patternDirectory('/var/log/containers/*.log'), '/var/log/containers')
  assert.equal(patternDirectory('/var/log/pods/*/*/*.log'), undefined)
})

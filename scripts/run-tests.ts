// Runs every `*.test.ts` beside the code with Node's built-in test runner.
// `--chaos` runs the crash/outage suite (`*.chaos.ts`) instead.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const chaos = process.argv.includes('--chaos')
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const suffix = chaos ? '.chaos.ts' : '.test.ts'

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (name.endsWith(suffix)) out.push(p)
  }
  return out
}

const files = walk('packages', [])
  .concat(walk('scripts', []))
  .concat(walk('deploy', []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
const args = ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...files]
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, SLUICE_TEST: '1' } })
process.exit(r.status ?? 1)

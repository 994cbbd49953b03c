// Bundles `sluice agent` into packages/cli/dist/ (run by `npm ci` through the root package's prepare
// script). Node runs the TypeScript sources directly, but resolving and linking the agent's ~150
// modules is most of its start-up: measured on this machine, an idle agent from the sources costs
// ~0.25 CPU-s to start and holds ~75 MB RSS, from the bundle ~0.11 CPU-s and ~63 MB. Third-party
// packages stay external (resolved from node_modules at run time, so lazily loaded ones stay lazy).
// Beside the bundle, agent-inputs.json records each bundled source's size and mtime: bin/sluice.js
// uses the bundle only while every source is unchanged, so an edited checkout never runs stale code.
//
// Usage: node scripts/build-agent.ts [OUTDIR]

import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const outdir = resolve(process.argv[2] ?? join(root, 'packages/cli/dist'))

let esbuild: typeof import('esbuild')
try {
  esbuild = await import('esbuild')
} catch {
  // e.g. an install without devDependencies: the agent then runs from its sources, only slower to start
  console.log('build-agent: esbuild is not installed; `sluice agent` runs from the TypeScript sources')
  process.exit(0)
}

/** Every dependency named by the root and workspace package.json files, except the workspaces. */
function thirdParty(): string[] {
  const names = new Set<string>()
  const manifests = [join(root, 'package.json')]
  for (const d of readdirSync(join(root, 'packages'))) manifests.push(join(root, 'packages', d, 'package.json'))
  for (const m of manifests) {
    let pkg: Record<string, Record<string, string> | undefined>
    try {
      pkg = JSON.parse(readFileSync(m, 'utf8'))
    } catch {
      continue
    }
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'])
      for (const name of Object.keys(pkg[field] ?? {})) if (!name.startsWith('@sluice/')) names.add(name)
  }
  // a package's subpaths (e.g. `@aws-sdk/credential-providers/…`) too
  return [...names].flatMap((n) => [n, `${n}/*`])
}

rmSync(outdir, { recursive: true, force: true })
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { 'agent-main': join(root, 'packages/cli/src/agent-main.ts') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  external: thirdParty(),
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
})

const inputs = Object.keys(result.metafile.inputs).map((p) => {
  const abs = resolve(root, p)
  const st = statSync(abs)
  return { path: relative(outdir, abs), size: st.size, mtimeMs: st.mtimeMs }
})
writeFileSync(join(outdir, 'agent-inputs.json'), `${JSON.stringify({ entry: 'agent-main.js', inputs })}\n`)
console.log(`build-agent: ${inputs.length} modules bundled into ${relative(root, outdir) || outdir}`)

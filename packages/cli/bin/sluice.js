#!/usr/bin/env node
// The `sluice` command. Plain JavaScript so that it starts on any Node: when the Node running it is
// older than 24 (this machine image ships Node 20), it re-runs itself with the Node binary (26 LTS) that the
// `node` devDependency installs into node_modules, then loads the TypeScript entry point (Node
// strips types natively), or for `sluice agent` the bundle `npm ci` built from it (agent-bundle.js).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freshAgentBundle } from './agent-bundle.js'

const here = dirname(fileURLToPath(import.meta.url))
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  let dir = here
  let node24 = ''
  for (let i = 0; i < 8 && !node24; i++) {
    const candidate = join(dir, 'node_modules', 'node', 'bin', 'node')
    if (existsSync(candidate)) node24 = candidate
    dir = dirname(dir)
  }
  if (!node24) {
    console.error(
      `sluice needs Node.js 24 or newer (this is ${process.version}); run \`npm ci\` in the repository first.`,
    )
    process.exit(1)
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the child through the terminal's process group; other signals are forwarded. The
  // wrapper waits for the child to finish its clean shutdown and exits with its status.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (sig !== 'SIGINT') child.kill(sig)
    })
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
} else {
  // `sluice agent` caps V8's young generation (semi-space) at 8 MB: with V8's default sizing the heap of
  // an agent catching up on files grows far beyond what is live (measured on the benchmark pipeline,
  // Node 26: peak RSS ~220 → ~175 MB, CPU within the noise; docs/agent.md, Memory). V8 reads the flag only at
  // start-up, so the process replaces itself once with the flag (same pid, nothing has run yet). A
  // semi-space size given in NODE_OPTIONS or on the node command line is left as it is.
  const semiSpaceSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('semi-space-size'))
  if (process.argv[2] === 'agent' && !semiSpaceSet && typeof process.execve === 'function') {
    process.execve(process.execPath, [
      process.execPath,
      '--max-semi-space-size=8',
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ])
  }
  // Node's on-disk compile cache halves start-up CPU of every later run (measured: an idle agent
  // 0.69 → 0.37 CPU-s, RSS 119 → 96 MB). It is best effort: an unwritable cache directory is ignored.
  const { enableCompileCache } = await import('node:module')
  try {
    enableCompileCache?.()
  } catch {
    // no cache: start-up is only slower
  }
  // `sluice agent` starts from its bundle (built at `npm ci`, scripts/build-agent.ts) while that was
  // built from the current sources: about half the start-up CPU and ~12 MB less RSS than resolving
  // its ~150 source modules one by one. Anything else, or a stale bundle, runs the sources.
  const bundle = process.argv[2] === 'agent' ? freshAgentBundle(join(here, '..', 'dist')) : undefined
  await import(bundle ?? join(here, '..', 'src', 'main.ts'))
}

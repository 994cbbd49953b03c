// Size of the built UI as the browser downloads it: every file in dist/, raw and gzip-compressed
// (level 9, as a server or CDN would precompress). Run `npm run size -w packages/web` after a build.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export interface BundleSize {
  files: { path: string; bytes: number; gzipBytes: number }[]
  bytes: number
  gzipBytes: number
}

export const DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url))

export function bundleSize(dir: string = DIST_DIR): BundleSize {
  const files: BundleSize['files'] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else {
        const data = readFileSync(p)
        files.push({ path: relative(dir, p), bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length })
      }
    }
  }
  try {
    walk(dir)
  } catch (err) {
    throw new Error(
      `cannot measure bundle: ${dir} is not readable (${(err as Error).message}); run the web build first`,
    )
  }
  files.sort((a, b) => b.gzipBytes - a.gzipBytes)
  return {
    files,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = bundleSize(process.argv[2] ?? DIST_DIR)
  for (const f of r.files)
    console.log(`${f.path.padEnd(40)} ${String(f.bytes).padStart(9)} B  ${String(f.gzipBytes).padStart(8)} B gzip`)
  console.log(`${'total'.padEnd(40)} ${String(r.bytes).padStart(9)} B  ${String(r.gzipBytes).padStart(8)} B gzip`)
}

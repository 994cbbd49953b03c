// The last delivered resourceVersion, kept in the `db` file across restarts: written to a temporary
// file and renamed over the old one (atomic on POSIX), fsync'd unless db.sync is off.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

export interface RvState {
  resourceVersion: string
}

export function loadRv(path: string): RvState | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as RvState
    return typeof v.resourceVersion === 'string' ? v : undefined
  } catch {
    return undefined
  }
}

export function saveRv(path: string, state: RvState, sync: boolean): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, JSON.stringify(state))
    if (sync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

/** Orders resourceVersions numerically when both are numbers (etcd revisions), else as strings. */
export function rvAfter(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b)
  return a !== b
}

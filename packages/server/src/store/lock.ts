// The data directory lock: one live server per directory, because two DuckDB instances on the same
// file corrupt it (PRODUCT.md). The lock file holds the owner's pid; a lock whose pid is no longer
// running is stale (the owner was killed) and is taken over.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Directories locked by this process: a second Store in the same process must be refused too. */
const held = new Set<string>()

export interface DirLock {
  readonly path: string
  /** True when a stale lock (dead pid) was found and replaced. */
  readonly tookOverStale: number | null
  release(): void
}

export class LockedError extends Error {
  readonly pid: number
  constructor(dir: string, pid: number) {
    super(
      `cannot start: data directory ${dir} is in use by another sluice server (pid ${pid}); stop that server or choose another directory with --data`,
    )
    this.pid = pid
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else; it is alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes `DIR/sluice.lock` or throws LockedError naming the live owner. */
export function lockDataDir(dir: string): DirLock {
  const path = join(dir, 'sluice.lock')
  const key = resolve(dir)
  if (held.has(key)) throw new LockedError(dir, process.pid)
  let stale: number | null = null
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      held.add(key)
      return {
        path,
        tookOverStale: stale,
        release() {
          held.delete(key)
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path)
          } catch {
            // already gone
          }
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    let text = ''
    try {
      text = readFileSync(path, 'utf8').trim()
    } catch {
      continue // removed between our open and read: try again
    }
    const pid = Number(text)
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new LockedError(dir, pid)
    // Stale (dead owner, garbage content, or our own pid left by an earlier run in this process).
    stale = Number.isInteger(pid) ? pid : -1
    try {
      unlinkSync(path)
    } catch {
      // someone else removed it first
    }
  }
  throw new Error(`cannot start: could not take the lock ${path} (it keeps reappearing)`)
}

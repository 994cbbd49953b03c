// One file being read: its identity (device + inode + fingerprint), where reading resumes, the
// delivery tracker of its batches, and its multiline joiner. Identity is the real file: a
// /var/log/containers/x.log symlink and the /var/log/pods/… file it points to are one file.

import type { FSWatcher } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import type { MultilineJoiner } from '../../multiline/types.ts'
import { CommitTracker } from './commit-tracker.ts'
import type { Fingerprint } from './fingerprint.ts'

export class TailFile {
  /** The path as `Path` matched it (a symlink stays a symlink): what Path_Key and the Tag show. */
  readonly path: string
  readonly dev: number
  readonly ino: number
  readonly fh: FileHandle
  readonly tag: string
  /** Offset of the first byte not yet turned into a line (the start of a pending partial line). */
  readPos: number
  /** Inside a long line that is being skipped or was truncated: drop bytes up to the next newline. */
  skipping = false
  tracker: CommitTracker
  fp: Fingerprint
  dbId: number | undefined
  joiner: MultilineJoiner | undefined
  /**
   * Start offsets of the lines the joiner may still hold, oldest first, per stream group. Within a
   * group the joiner completes records in order, so the lines it holds are the group's last ones.
   */
  readonly held = new Map<string, number[]>()
  /** When the path stopped naming this file (rotated or deleted), epoch ms; 0 while it still does. */
  rotatedAt = 0
  watcher: FSWatcher | undefined
  /**
   * Read to its end and nothing new noticed since (no file system event, size unchanged at the last
   * check): the loop does not read it again until then, so a wake-up costs nothing per idle file.
   */
  idle = false
  /** Unicode.Encoding: the file is UTF-16 of this byte order (converted to UTF-8 per line). */
  utf16: 'le' | 'be' | undefined
  /** Set once the file is closed; late acknowledgements then only commit. */
  closed = false
  /** Last long-line warning (epoch ms) and long lines met since, not warned about. */
  longWarnAt = 0
  longSuppressed = 0
  /** Size and mtime seen at the last check. */
  size = 0
  mtimeMs = 0

  constructor(init: {
    path: string
    dev: number
    ino: number
    fh: FileHandle
    tag: string
    offset: number
    fp: Fingerprint
    dbId: number | undefined
    onCommit: (file: TailFile, offset: number) => void
  }) {
    this.path = init.path
    this.dev = init.dev
    this.ino = init.ino
    this.fh = init.fh
    this.tag = init.tag
    this.readPos = init.offset
    this.fp = init.fp
    this.dbId = init.dbId
    this.onCommit = init.onCommit
    this.tracker = this.newTracker(init.offset)
  }

  private readonly onCommit: (file: TailFile, offset: number) => void

  /**
   * Starts over at `offset` (after a truncation): acknowledgements of batches read before it no
   * longer move the commit point, because their offsets describe content that is gone.
   */
  restartAt(offset: number): void {
    this.readPos = offset
    this.skipping = false
    this.idle = false
    this.held.clear()
    this.tracker = this.newTracker(offset)
  }

  private newTracker(offset: number): CommitTracker {
    const t: CommitTracker = new CommitTracker(offset, (off) => {
      if (this.tracker === t) this.onCommit(this, off)
    })
    return t
  }

  get key(): string {
    return `${this.dev}:${this.ino}`
  }

  /** Where a restart may resume without losing lines: before the first line the joiner still holds. */
  safePoint(): number {
    let p = this.readPos
    for (const starts of this.held.values()) if (starts.length > 0 && starts[0]! < p) p = starts[0]!
    return p
  }

  /** Keeps only the start offsets of the lines the joiner still holds in each group. */
  trimHeld(pending: (group: string) => number): void {
    for (const [group, starts] of this.held) {
      const n = pending(group)
      if (n <= 0) starts.length = 0
      else if (starts.length > n) starts.splice(0, starts.length - n)
    }
  }
}

// The `tail` input: reads lines appended to files, as Fluent Bit's in_tail does
// (fluent-bit/plugins/in_tail), with offsets committed on delivery instead of on read.

import { homedir } from 'node:os'
import { isAbsolute } from 'node:path'
import type { Parser } from '../../parsers/types.ts'
import { defineInput } from '../../plugin.ts'
import { OffsetDb } from './offset-db.ts'
import { GENERIC_ENCODINGS, tailOptions } from './options.ts'
import type { LongLinePolicy } from './split-lines.ts'
import { compileTag } from './tag.ts'
import { Tailer } from './tailer.ts'
import { tailMetrics } from './tail-metrics.ts'

export const tail = defineInput({
  name: 'tail',
  description: 'Tail files: read lines appended to files matched by glob patterns (container logs)',
  options: tailOptions,
  init(o, ctx) {
    // glob(3) with GLOB_TILDE, as Fluent Bit expands Path: `~/` is the home directory.
    const patterns = o.path
      .map((p) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p))
      .map((p) => (isAbsolute(p) ? p : ctx.resolvePath(p)))
    if (patterns.length === 0) throw new Error(`cannot start tail: no input 'path' was given`)
    if (o.buffer_chunk_size > o.buffer_max_size) {
      throw new Error(
        `cannot start tail: buffer_max_size (${o.buffer_max_size}) must be >= buffer_chunk_size (${o.buffer_chunk_size})`,
      )
    }
    if (!(o.rotate_wait > 0)) throw new Error(`cannot start tail: rotate_wait must be > 0 (got ${o.rotate_wait})`)
    if (!(o.refresh_interval > 0)) {
      throw new Error(`cannot start tail: refresh_interval must be > 0 (got ${o.refresh_interval})`)
    }
    const multiline = o['multiline.parser'].flat()
    for (const name of multiline) {
      if (!ctx.multiline.has(name)) {
        throw new Error(
          `cannot start tail: multiline parser '${name}' is not defined (known: ${ctx.multiline.names().join(', ') || 'none'})`,
        )
      }
    }
    let parser: Parser | undefined
    if (o.parser !== undefined) {
      if (multiline.length > 0) {
        ctx.log.warn(`parser '${o.parser}' is not used: multiline.parser is set (as in Fluent Bit)`)
      } else {
        parser = ctx.parsers.get(o.parser)
        if (!parser) {
          throw new Error(
            `cannot start tail: parser '${o.parser}' is not registered (known: ${ctx.parsers.names().join(', ') || 'none'})`,
          )
        }
      }
    }
    const encoding = o['generic.encoding']
    const decoder = encoding === undefined ? undefined : new TextDecoder(GENERIC_ENCODINGS[encoding]!)
    const tag = compileTag(ctx.tag, o.tag_regex)
    const longLines: LongLinePolicy = o.skip_long_lines ? 'skip' : o.truncate_long_lines ? 'truncate' : 'stop'
    const db =
      o.db === undefined
        ? undefined
        : new OffsetDb(ctx.resolvePath(o.db), {
            sync: o['db.sync'],
            locking: o['db.locking'],
            journalMode: o['db.journal_mode'],
          })
    const refreshMs = o.refresh_interval * 1000
    return new Tailer(
      {
        patterns,
        exclude: o.exclude_path ?? [],
        line: {
          key: o.key,
          pathKey: o.path_key,
          offsetKey: o.offset_key,
          skipEmpty: o.skip_empty_lines,
          maxLine: o.buffer_max_size,
          longLines,
          parser,
          decoder,
        },
        tag,
        readFromHead: o.read_from_head,
        newFilesFromHead: o.read_newly_discovered_files_from_head,
        refreshMs,
        // With inotify, events wake the reader and trigger checks of renamed/deleted files; the
        // periodic check (rotation by symlink change, missed events) runs every Watcher_Interval.
        checkMs: Math.min(o.watcher_interval * 1000, refreshMs),
        rotateWaitMs: o.rotate_wait * 1000,
        ignoreOlderMs: o.ignore_older * 1000,
        ignoreActiveOlder: o.ignore_active_older_files,
        chunkBytes: o.buffer_chunk_size,
        batchBytes: o.static_batch_size,
        inotify: o.inotify_watcher,
        exitOnEof: o.exit_on_eof,
        multiline: multiline.length > 0 ? multiline : undefined,
        compareFilename: o['db.compare_filename'],
        unicode: o['unicode.encoding'],
        dbLocking: o['db.locking'],
      },
      ctx,
      db,
      tailMetrics(ctx.metrics),
    )
  },
  start(t) {
    t.start()
  },
  async stop(t) {
    await t.stop()
  },
  pause(t) {
    t.wake()
  },
  resume(t) {
    t.wake()
  },
})

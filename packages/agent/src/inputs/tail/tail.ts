// The `tail` input: reads lines appended to files, as Fluent Bit's in_tail does
// (fluent-bit/plugins/in_tail), with offsets committed on delivery instead of on read.

import { homedir } from 'node:os'
import { isAbsolute } from 'node:path'
import type { MultilineJoiner } from '../../multiline/types.ts'
import type { Parser } from '../../parsers/types.ts'
import { defineInput } from '../../plugin.ts'
import { FirstlineJoiner } from './firstline-joiner.ts'
import { OffsetDb } from './offset-db.ts'
import { GENERIC_ENCODINGS, tailOptions } from './options.ts'
import type { LongLinePolicy } from './split-lines.ts'
import { compileTag } from './tag.ts'
import { tailMetrics } from './tail-metrics.ts'
import { Tailer } from './tailer.ts'

export const tail = defineInput({
  name: 'tail',
  description: 'Tail files: read lines appended to files matched by glob patterns (container logs)',
  options: tailOptions,
  validate(o) {
    // Fluent Bit refuses to start: "multiline: no parser defined for firstline".
    if (o.multiline && o.parser_firstline === undefined && o['multiline.parser'].flat().length === 0 && !o.parser)
      return [{ option: 'multiline', message: 'multiline is on but parser_firstline is not set' }]
    return []
  },
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
    const parserNamed = (name: string, option: string): Parser => {
      const p = ctx.parsers.get(name)
      if (!p) {
        throw new Error(
          `cannot start tail: ${option} '${name}' is not registered (known: ${ctx.parsers.names().join(', ') || 'none'})`,
        )
      }
      return p
    }
    let parser: Parser | undefined
    if (o.parser !== undefined) {
      if (multiline.length > 0) {
        ctx.log.warn(`parser '${o.parser}' is not used: multiline.parser is set (as in Fluent Bit)`)
      } else parser = parserNamed(o.parser, 'parser')
    }
    // Which joins lines, as Fluent Bit decides: multiline.parser, else Parser, else `Multiline On`.
    let joiner: (() => MultilineJoiner) | undefined
    if (multiline.length > 0) {
      joiner = () => ctx.multiline.create(multiline)
      if (o.multiline) ctx.log.warn('multiline (the old mechanism) is not used: multiline.parser is set')
    } else if (o.multiline && parser !== undefined) {
      ctx.log.warn(`multiline is not used: parser '${o.parser}' is set (as in Fluent Bit, Parser takes precedence)`)
    } else if (o.multiline) {
      if (o.parser_firstline === undefined) {
        throw new Error('cannot start tail: multiline is on but parser_firstline is not set')
      }
      const firstline = parserNamed(o.parser_firstline, 'parser_firstline')
      const continuation = (o.parser_n ?? []).map((n) => parserNamed(n, 'parser_N'))
      // Fluent Bit treats a Multiline_Flush of 0 or less as 1 second.
      const flushMs = Math.max(1, o.multiline_flush) * 1000
      joiner = () => new FirstlineJoiner({ firstline, continuation, key: o.key, flushMs })
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
        multiline: joiner,
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

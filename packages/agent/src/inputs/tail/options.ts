// The tail input's option table, in Fluent Bit 5.1's spelling and with its defaults
// (fluent-bit/plugins/in_tail/tail.c config_map; FLB_TAIL_CHUNK "32768", FLB_TAIL_ROTATE_WAIT "5",
// FLB_TAIL_STATIC_BATCH_SIZE "50M", FLB_TAIL_EVENT_BATCH_SIZE "50M", FLB_TAIL_REFRESH 60).
// `Tag`, `Mem_Buf_Limit` and the other per-instance options are common input options (common-options.ts).

import type { OptionTable } from '@sluice/core/options.ts'

/** Fluent Bit's generic.encoding names → WHATWG TextDecoder labels (all are ASCII-compatible). */
export const GENERIC_ENCODINGS: Readonly<Record<string, string>> = {
  ShiftJIS: 'shift_jis',
  UHC: 'euc-kr',
  GBK: 'gbk',
  GB18030: 'gb18030',
  Big5: 'big5',
  Win866: 'ibm866',
  Win874: 'windows-874',
  Win1250: 'windows-1250',
  Win1251: 'windows-1251',
  Win1252: 'windows-1252',
  Win1253: 'windows-1253',
  Win1254: 'windows-1254',
  Win1255: 'windows-1255',
  Win1256: 'windows-1256',
}

export const tailOptions = {
  path: {
    type: 'clist',
    required: true,
    description:
      'Files to read: one or more glob patterns separated by commas (`*`, `?`, `[...]` within one path segment), e.g. `/var/log/containers/*.log`.',
  },
  exclude_path: {
    type: 'clist',
    description:
      'Shell patterns, separated by commas, of files to leave out even if `path` matches them, e.g. `*.gz,*.zip` (`*` also matches `/`, as fnmatch without FNM_PATHNAME).',
  },
  key: {
    type: 'str',
    default: 'log',
    description: 'Field that holds the line when no parser structures it (or when the parser does not match).',
  },
  read_from_head: {
    type: 'bool',
    default: 'false',
    description:
      'For files found at start that have no offset in the database, read from the beginning instead of from the end.',
  },
  read_newly_discovered_files_from_head: {
    type: 'bool',
    default: 'true',
    description:
      'For files that appear after start (new pods, rotated files) and have no offset in the database, read from the beginning.',
  },
  refresh_interval: {
    type: 'time',
    default: '60',
    description:
      'Seconds between rescans of the `path` patterns for new files (fractions allowed, e.g. `0.5`). Sluice also rescans when a watched directory changes.',
  },
  watcher_interval: {
    type: 'time',
    default: '2s',
    description:
      'How often open files are checked for new data, rotation and deletion when `inotify_watcher` is off (with it on, file system events wake the reader and files are checked at least every second).',
  },
  progress_check_interval: {
    type: 'time',
    default: '2s',
    description: 'Fluent Bit: interval of the progress check of files being read.',
    ignored: 'Sluice reads every file until its end on each pass, so there is no separate progress check',
  },
  progress_check_interval_nsec: {
    type: 'int',
    default: '0',
    description: 'Fluent Bit: nanosecond part of `progress_check_interval`.',
    ignored: 'Sluice reads every file until its end on each pass, so there is no separate progress check',
  },
  rotate_wait: {
    type: 'time',
    default: '5',
    description:
      'Seconds a file stays open after it was rotated (renamed or deleted), so that lines its writer still appends are read.',
  },
  docker_mode: {
    type: 'bool',
    default: 'false',
    description: 'Recombine Docker log lines split by the json-file driver before parsing (old mechanism).',
    ignored: 'use `multiline.parser docker` instead, which recombines split Docker lines',
  },
  docker_mode_flush: {
    type: 'int',
    default: '4',
    description: 'Seconds to wait before flushing an unfinished Docker mode line.',
    ignored: 'Docker mode is not implemented; use `multiline.parser docker`',
  },
  docker_mode_parser: {
    type: 'str',
    description: 'Parser that detects the first line of a multiline message in Docker mode.',
    ignored: 'Docker mode is not implemented; use `multiline.parser docker`',
  },
  path_key: {
    type: 'str',
    description:
      'When set, each record gets this field holding the path of the file it was read from (as matched by `path`).',
  },
  offset_key: {
    type: 'str',
    description: 'When set, each record gets this field holding the byte offset of its line in the file.',
  },
  ignore_older: {
    type: 'time',
    default: '0',
    description:
      'Leave out files not modified for longer than this (`m`, `h`, `d` suffixes allowed). `0` reads all files.',
  },
  ignore_active_older_files: {
    type: 'bool',
    default: 'false',
    description: 'Also close files already being read once they have not been modified for `ignore_older`.',
  },
  buffer_chunk_size: {
    type: 'size',
    default: '32k',
    description:
      'Initial read buffer size. Sluice always reads in chunks of at least 1 MiB (one buffer per instance), so this only matters when larger.',
  },
  buffer_max_size: {
    type: 'size',
    default: '32k',
    description:
      'Longest line accepted, in bytes. A longer line is skipped (`skip_long_lines`), truncated (`truncate_long_lines`), or else the file stops being read until it rotates, as Fluent Bit does.',
  },
  static_batch_size: {
    type: 'size',
    default: '50M',
    description: 'Most bytes read from one file before the reader moves to the next file (fairness between files).',
  },
  event_batch_size: {
    type: 'size',
    default: '50M',
    description:
      'Fluent Bit: most bytes read per file per file system event. Sluice uses `static_batch_size` for both.',
    ignored: 'Sluice has one reading mode; `static_batch_size` bounds each pass',
  },
  skip_long_lines: {
    type: 'bool',
    default: 'false',
    description:
      'Skip lines longer than `buffer_max_size` (one warning naming file and offset, counted in fluentbit_input_long_line_skipped_total) and keep reading the file.',
  },
  truncate_long_lines: {
    type: 'bool',
    default: 'false',
    description:
      'Emit the first `buffer_max_size` bytes of a longer line (cut at a UTF-8 character boundary) and drop the rest (counted in fluentbit_input_long_line_truncated_total).',
  },
  skip_empty_lines: {
    type: 'bool',
    default: 'false',
    description: 'Drop empty lines instead of emitting empty records.',
  },
  exit_on_eof: {
    type: 'bool',
    default: 'false',
    description:
      'Shut the agent down (SIGTERM, graceful) once a file has been read to its end. For bulk loads and tests.',
  },
  file_cache_advise: {
    type: 'bool',
    default: 'true',
    description: 'Fluent Bit: posix_fadvise(POSIX_FADV_DONTNEED) to keep read files out of the page cache.',
    ignored: 'Node.js has no posix_fadvise',
  },
  inotify_watcher: {
    type: 'bool',
    default: 'true',
    description:
      'Use file system events (inotify through fs.watch) to notice new data quickly; off: check files every `watcher_interval`.',
  },
  parser: {
    type: 'str',
    description:
      'Parser applied to each line. A line it does not match is kept as is under `key`. Not used when `multiline.parser` is set.',
  },
  tag_regex: {
    type: 'str',
    description:
      'Regular expression with named groups applied to the file path; `<name>` in the Tag is replaced by the group (`_` when it did not match).',
  },
  db: {
    type: 'str',
    description:
      'SQLite database of file offsets, to resume after a restart. Sluice commits an offset only once the records before it were delivered.',
  },
  'db.sync': {
    type: 'str',
    default: 'normal',
    values: ['extra', 'full', 'normal', 'off'],
    description: 'SQLite `PRAGMA synchronous` of the database.',
  },
  'db.locking': {
    type: 'bool',
    default: 'false',
    description: 'Open the database in exclusive locking mode (faster; other processes cannot read it meanwhile).',
  },
  'db.journal_mode': {
    type: 'str',
    default: 'WAL',
    values: ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'WAL', 'OFF'],
    description: 'SQLite journal mode of the database. WAL is fastest but does not work on network file systems.',
  },
  'db.compare_filename': {
    type: 'bool',
    default: 'false',
    description: 'Match database entries on file name as well as on inode (and content fingerprint).',
  },
  multiline: {
    type: 'bool',
    default: 'false',
    description:
      'Old multiline mechanism: join lines into messages that start with a line `parser_firstline` matches (not used when `multiline.parser` or `parser` is set).',
  },
  multiline_flush: {
    type: 'time',
    default: '4',
    description: 'Old multiline mechanism: seconds after its first line at which a message being joined is complete.',
  },
  parser_firstline: {
    type: 'str',
    description: 'Old multiline mechanism: parser matching the first line of a message (required with `multiline on`).',
  },
  parser_n: {
    type: 'str',
    multiple: true,
    aliases: Array.from({ length: 20 }, (_, i) => `parser_${i + 1}`),
    description:
      'Old multiline mechanism: parsers `Parser_1`, `Parser_2`, … tried in order on the lines after a first line; the fields of the first that matches are added to the message.',
  },
  'multiline.parser': {
    type: 'clist',
    multiple: true,
    description:
      'Multiline parsers tried in order, separated by commas (`docker`, `cri`, `go`, `java`, `python`, or a [MULTILINE_PARSER] name). Joins lines per file.',
  },
  'unicode.encoding': {
    type: 'str',
    values: ['UTF-16LE', 'UTF-16BE', 'auto'],
    description:
      'Read files as UTF-16 of this byte order and convert each line to UTF-8; `auto` decides per file from its byte order mark (or the position of zero bytes), else reads UTF-8.',
  },
  'generic.encoding': {
    type: 'str',
    values: Object.keys(GENERIC_ENCODINGS),
    description: 'Convert files in this non-Unicode encoding to UTF-8.',
  },
} as const satisfies OptionTable

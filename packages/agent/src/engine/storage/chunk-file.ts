// The on-disk format of a buffer chunk (Sluice's own, line-oriented so that a chunk is appended to
// as records arrive and a cut write is detectable):
//
//   SLUICE-CHUNK\t1\t<tag as a JSON string>\t<checksum 0|1>\n        header: magic, version, tag
//   [<crc32 hex>\t]<JSON [sec, nsec, body]>\n                        one line per record
//   #sealed\t<record count>\n                                       trailer, written when sealed
//
// With storage.checksum each record line starts with the CRC32 (zlib) of its JSON. A chunk without
// a trailer was still open when the agent stopped; its complete lines are valid records. A line
// without its final newline is a cut record, which makes the chunk irrecoverable (quarantined).

import { crc32 } from 'node:zlib'
import type { LogEvent } from '@sluice/core/record.ts'

export const CHUNK_MAGIC = 'SLUICE-CHUNK'
export const CHUNK_VERSION = 1
export const CHUNK_SUFFIX = '.chunk'

export function encodeHeader(tag: string, checksum: boolean): string {
  return `${CHUNK_MAGIC}\t${CHUNK_VERSION}\t${JSON.stringify(tag)}\t${checksum ? 1 : 0}\n`
}

/** Encodes records as lines. Throws when a body cannot be serialised (a BigInt, a cycle). */
export function encodeRecords(events: readonly LogEvent[], checksum: boolean): string {
  let out = ''
  for (const e of events) {
    const json = JSON.stringify([e.sec, e.nsec, e.body])
    out += checksum ? `${crc32(json).toString(16).padStart(8, '0')}\t${json}\n` : `${json}\n`
  }
  return out
}

export function encodeTrailer(count: number): string {
  return `#sealed\t${count}\n`
}

export interface DecodedChunk {
  readonly tag: string
  readonly events: LogEvent[]
  readonly sealed: boolean
}

/** Why a chunk cannot be read: the message names the line and the problem. */
export class ChunkError extends Error {}

export function decodeChunk(text: string): DecodedChunk {
  const nl = text.indexOf('\n')
  if (nl < 0) throw new ChunkError(text.startsWith(CHUNK_MAGIC) ? 'header cut short' : 'bad magic (not a Sluice chunk)')
  const head = text.slice(0, nl).split('\t')
  if (head[0] !== CHUNK_MAGIC) throw new ChunkError('bad magic (not a Sluice chunk)')
  if (head[1] !== String(CHUNK_VERSION)) throw new ChunkError(`unsupported chunk version ${head[1]}`)
  let tag: unknown
  try {
    tag = JSON.parse(head[2] ?? '')
  } catch {
    tag = undefined
  }
  if (typeof tag !== 'string') throw new ChunkError('bad header: tag is not a JSON string')
  const checksum = head[3] === '1'
  const events: LogEvent[] = []
  let pos = nl + 1
  let line = 2
  let sealed = false
  while (pos < text.length) {
    const end = text.indexOf('\n', pos)
    if (end < 0) throw new ChunkError(`line ${line}: record cut short (truncated chunk)`)
    if (sealed) throw new ChunkError(`line ${line}: data after the #sealed trailer`)
    const l = text.slice(pos, end)
    pos = end + 1
    if (l.startsWith('#sealed\t')) {
      const n = Number(l.slice(8))
      if (n !== events.length)
        throw new ChunkError(
          `trailer says ${l.slice(8)} records but the chunk holds ${events.length} (truncated chunk)`,
        )
      sealed = true
      line++
      continue
    }
    let json = l
    if (checksum) {
      const tab = l.indexOf('\t')
      const want = tab === 8 ? l.slice(0, 8) : ''
      json = l.slice(tab + 1)
      if (want === '' || crc32(json).toString(16).padStart(8, '0') !== want)
        throw new ChunkError(`line ${line}: CRC32 mismatch (corrupted record)`)
    }
    let v: unknown
    try {
      v = JSON.parse(json)
    } catch {
      throw new ChunkError(`line ${line}: not a JSON record (corrupted record)`)
    }
    if (
      !Array.isArray(v) ||
      typeof v[0] !== 'number' ||
      typeof v[1] !== 'number' ||
      v[2] === null ||
      typeof v[2] !== 'object'
    )
      throw new ChunkError(`line ${line}: not a [sec, nsec, body] record (corrupted record)`)
    events.push({ sec: v[0], nsec: v[1], body: v[2] })
    line++
  }
  return { tag, events, sealed }
}

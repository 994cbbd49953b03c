// The wire format between JavaScript and the Lua VM: one binary string per batch, so that a batch
// crosses the WebAssembly boundary twice (in and out) instead of once per field. Lua reads it with
// `string.unpack` (C code inside the VM); JavaScript writes and reads it on a Buffer.
//
// value := 's' u32 len bytes      string
//        | 'i' i32 | 'j' i64      integer
//        | 'n' f64                float
//        | 'T' | 'F' | 'N'        true, false, null
//        | 'M' u32 n (key value)*n  map
//        | 'A' u32 n value*n      array
//        | 'S'                    (out only, top level) the record's input value for this key, unchanged
//        | 'P' u32 n (key (value | 'X'))*n  (out only, top level, lazy records) the input record with
//                                 these keys set, or deleted ('X')
// key    := u32 index into the batch's key dictionary | 0xFFFFFFFF u32 len bytes (a key not in it)
//         | (out only) 0xFFFFFFFE u32 index u32 len bytes: a key not in it, added to it at that index
//           (the next free one) so that later results refer to it by index
// batch in  := u32 dictOffset, u32 len tag, u32 count, (i64 sec, u32 nsec, record)*count,
//              at dictOffset: u32 nkeys (u32 len bytes)*nkeys, u32 nshapes (u32 n (u32 key, u8 code)*n)*nshapes
// record := u32 shape, the record's values back to back in the shape's order (see Writer.record)
// shape codes: s string, i int32, j int64, n double, b boolean, z null, x nested, y nested that a
// round trip through Lua leaves unchanged (luaStable; lazy records only)
// Keys repeat from record to record: sending each once per batch saves creating (and interning) the
// same Lua strings again for every record; unchanged values are not sent back at all.
// lazy batch in: record := u32 shape, u32 offsetsAt, the values, u32 offset of each value (at offsetsAt)
// batch out := per record one of
//        'K'                      keep unchanged (0)
//        'D'                      drop (-1)
//        'E' u32 len message      the call failed or returned something invalid: keep unchanged
//        '1' i64 sec i64 nsec u32 n value*n   new time and n records (1)
//        '2' u32 n value*n        n records, keep the time (2)
// Numbers are little-endian.

import type { Body, LogEvent } from '@sluice/core/record.ts'
import type { RawWrite } from '../../format/json-records.ts'
import { setKey } from '../args.ts'

const S = 0x73
const I = 0x69
const J = 0x6a
const NUM = 0x6e
const T = 0x54
const F = 0x46
const N = 0x4e
const M = 0x4d
const A = 0x41

/**
 * True when a nested value comes back from Lua exactly as it went in: strings (well-formed), numbers
 * (not -0), booleans, non-empty arrays and non-empty objects of such values. Nulls (nil in Lua), empty
 * tables (an array or a map: Lua cannot tell, type_array_key decides) and what JSON has no value for
 * change on the way.
 */
export function luaStable(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v.isWellFormed()
    case 'number':
      return !Object.is(v, -0)
    case 'boolean':
      return true
    case 'object': {
      if (v === null) return false
      if (Array.isArray(v)) {
        if (v.length === 0) return false
        for (let i = 0; i < v.length; i++) if (!luaStable(v[i])) return false
        return true
      }
      let n = 0
      for (const k in v) {
        n++
        if (!luaStable((v as Record<string, unknown>)[k])) return false
      }
      return n > 0
    }
    default:
      return false
  }
}

export class Writer {
  buf: Buffer
  off = 0
  /**
   * Lazy layout (for the driver's lazy records): each top-level record is `u32 shape, u32 offsetsAt,
   * values, u32 offset per value`, so that the Lua side reads any one field without decoding the rest.
   */
  readonly lazy: boolean
  constructor(size = 64 * 1024, lazy = false) {
    this.buf = Buffer.allocUnsafe(size)
    this.lazy = lazy
  }
  reset(): void {
    this.off = 0
  }
  ensure(n: number): void {
    if (this.off + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n))
    this.buf.copy(next, 0, 0, this.off)
    this.buf = next
  }
  u8(v: number): void {
    this.ensure(1)
    this.buf[this.off++] = v
  }
  u32(v: number): void {
    this.ensure(4)
    this.buf.writeUInt32LE(v, this.off)
    this.off += 4
  }
  i64(v: number): void {
    this.ensure(8)
    this.buf.writeBigInt64LE(BigInt(v), this.off)
    this.off += 8
  }
  str(s: string): void {
    this.ensure(4 + s.length * 3)
    const n = (this.buf as RawWrite).utf8Write(s, this.off + 4)
    this.buf.writeUInt32LE(n, this.off)
    this.off += 4 + n
  }
  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.ensure(5 + v.length * 3)
        this.buf[this.off++] = S
        this.str(v)
        return
      case 'number':
        this.ensure(9)
        if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) {
          this.buf[this.off++] = I
          this.buf.writeInt32LE(v, this.off)
          this.off += 4
        } else if (Number.isSafeInteger(v)) {
          this.buf[this.off++] = J
          this.buf.writeBigInt64LE(BigInt(v), this.off)
          this.off += 8
        } else {
          this.buf[this.off++] = NUM
          this.buf.writeDoubleLE(v, this.off)
          this.off += 8
        }
        return
      case 'boolean':
        this.u8(v ? T : F)
        return
      case 'bigint':
        this.ensure(9)
        this.buf[this.off++] = J
        this.buf.writeBigInt64LE(BigInt.asIntN(64, v), this.off)
        this.off += 8
        return
      case 'object':
        if (v === null) {
          this.u8(N)
          return
        }
        if (Array.isArray(v)) {
          this.u8(A)
          this.u32(v.length)
          for (const x of v) this.value(x)
          return
        }
        {
          const o = v as Record<string, unknown>
          const keys = Object.keys(o)
          let n = 0
          for (const k of keys) if (o[k] !== undefined) n++
          this.u8(M)
          this.u32(n)
          for (const k of keys) {
            const x = o[k]
            if (x === undefined) continue
            this.key(k)
            this.value(x)
          }
        }
        return
      default:
        this.u8(N) // undefined, functions, symbols: nothing Lua could use
    }
  }
  /** Encodes a batch; `keys` receives the key dictionary (index → key) the outcomes refer to. */
  batch(tag: string, events: readonly LogEvent[], keys: string[] = []): Buffer {
    this.reset()
    this.dict.clear()
    this.shapes.clear()
    this.shapeList.length = 0
    this.lastShape = undefined
    this.undefinedIn.clear()
    this.keys = keys
    keys.length = 0
    this.u32(0)
    this.str(tag)
    this.u32(events.length)
    for (const e of events) {
      this.i64(e.sec)
      this.u32(e.nsec)
      this.record(e.body)
    }
    this.buf.writeUInt32LE(this.off, 0)
    this.u32(keys.length)
    for (const k of keys) this.str(k)
    this.u32(this.shapeList.length)
    for (const sh of this.shapeList) {
      this.u32(sh.length)
      for (const [ki, code] of sh) {
        this.u32(ki)
        this.u8(code)
      }
    }
    return this.buf.subarray(0, this.off)
  }
  readonly shapes = new Map<string, number>()
  readonly shapeList: [number, number][][] = []
  /**
   * A top-level record: u32 shape index, then its values back to back, so that the Lua side reads a
   * whole record with one `string.unpack` whose format is the shape's (built once per shape).
   * Shape codes: s string, i int32, j int64, n double, b boolean (u8), z null (u8), x nested (a
   * length-prefixed value in the general encoding).
   */
  record(body: Body): void {
    this.ensure(8)
    const at = this.off
    this.off += this.lazy ? 8 : 4
    const offsets = this.offsets
    offsets.length = 0
    // Consecutive records mostly have the same keys in the same order with values of the same types:
    // while they match the previous record's shape, its index is reused without building the shape's
    // key (string concatenation and a Map lookup per record).
    const last = this.lastShape
    let matched = 0
    let fields: [number, number][] | undefined
    for (const k in body) {
      const v = body[k]
      if (v === undefined) {
        this.undefinedIn.add(body)
        continue
      }
      if (this.lazy) offsets.push(this.off)
      let code: number
      switch (typeof v) {
        case 'string':
          code = S
          this.str(v)
          break
        case 'number':
          this.ensure(8)
          if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) {
            code = I
            this.buf.writeInt32LE(v, this.off)
            this.off += 4
          } else if (Number.isSafeInteger(v)) {
            code = J
            this.buf.writeBigInt64LE(BigInt(v), this.off)
            this.off += 8
          } else {
            code = NUM
            this.buf.writeDoubleLE(v, this.off)
            this.off += 8
          }
          break
        case 'boolean':
          code = 0x62 // b
          this.u8(v ? 1 : 0)
          break
        default:
          if (v === null) {
            code = 0x7a // z
            this.u8(0)
          } else {
            // y: a nested value a round trip through Lua leaves as it is, so lazy records need not
            // send it back unless the function changes it
            code = this.lazy && luaStable(v) ? 0x79 /* y */ : 0x78 /* x */
            this.ensure(4)
            const lenAt = this.off
            this.off += 4
            this.value(v)
            this.buf.writeUInt32LE(this.off - lenAt - 4, lenAt)
          }
      }
      if (fields === undefined) {
        if (
          last !== undefined &&
          matched < last.keys.length &&
          last.keys[matched] === k &&
          last.fields[matched]![1] === code
        ) {
          matched++
          continue
        }
        fields = last === undefined ? [] : last.fields.slice(0, matched)
      }
      let ki = this.dict.get(k)
      if (ki === undefined) {
        ki = this.keys.length
        this.keys.push(k)
        this.dict.set(k, ki)
      }
      fields.push([ki, code])
    }
    if (fields === undefined && last !== undefined && matched === last.keys.length) {
      this.buf.writeUInt32LE(last.si, at)
      this.offsetTable(at)
      return
    }
    // the record's keys were a strict prefix of the previous record's: that prefix is its shape
    fields ??= last === undefined ? [] : last.fields.slice(0, matched)
    let sk = ''
    for (const [ki, code] of fields) sk += `${ki}${String.fromCharCode(code)}`
    let si = this.shapes.get(sk)
    if (si === undefined) {
      si = this.shapeList.length
      this.shapeList.push(fields)
      this.shapes.set(sk, si)
    }
    this.lastShape = { si, fields, keys: fields.map(([ki]) => this.keys[ki]!) }
    this.buf.writeUInt32LE(si, at)
    this.offsetTable(at)
  }
  /** Lazy layout: the offsets of the record's values, after them; where they start goes at `at + 4`. */
  private offsetTable(at: number): void {
    if (!this.lazy) return
    const offsets = this.offsets
    this.ensure(4 * offsets.length)
    this.buf.writeUInt32LE(this.off, at + 4)
    for (let i = 0; i < offsets.length; i++) {
      this.buf.writeUInt32LE(offsets[i]!, this.off)
      this.off += 4
    }
  }
  /** Value offsets of the record being written (lazy layout). */
  private readonly offsets: number[] = []
  /**
   * Records of the batch that hold undefined values (not sent: a result that patches such a record
   * must not keep them either).
   */
  readonly undefinedIn = new Set<Body>()
  /** The shape of the last record written (its index, fields and their keys), for the next one. */
  private lastShape: { si: number; fields: [number, number][]; keys: string[] } | undefined
  dict = new Map<string, number>()
  keys: string[] = []
  key(k: string): void {
    let i = this.dict.get(k)
    if (i === undefined) {
      i = this.keys.length
      this.keys.push(k)
      this.dict.set(k, i)
    }
    this.u32(i)
  }
}

const NO_KEY = 0xffffffff
const NEW_KEY = 0xfffffffe
const SAME = 0x53
const PATCH = 0x50 // P
const DELETE = 0x58 // X

export class Reader {
  off = 0
  readonly buf: Buffer
  /** The batch's key dictionary, then the keys the results added to it. */
  readonly keys: string[]
  constructor(buf: Buffer, keys: readonly string[] = []) {
    this.buf = buf
    this.keys = keys.slice()
  }
  key(): string {
    const i = this.u32()
    if (i === NO_KEY) return this.str()
    if (i === NEW_KEY) {
      const at = this.u32()
      if (at !== this.keys.length)
        throw new Error(`cannot decode Lua result: new key index ${at}, expected ${this.keys.length}`)
      const k = this.str()
      this.keys.push(k)
      return k
    }
    const k = this.keys[i]
    if (k === undefined) throw new Error(`cannot decode Lua result: key index ${i} out of range`)
    return k
  }
  /**
   * A top-level record: `S` values come from `orig`; a patch (`P`, lazy records) applies to a copy of
   * `orig` (its keys in their order, then the new ones). `undefinedIn`: records whose undefined values
   * were not sent (a patched copy leaves them out too).
   */
  record(orig: Body | undefined, undefinedIn?: ReadonlySet<Body>): Body {
    if (this.buf[this.off] === PATCH && orig !== undefined) return this.patch(orig, undefinedIn)
    if (this.buf[this.off] !== M) return this.value() as Body
    this.off++
    const n = this.u32()
    const o: Body = {}
    for (let i = 0; i < n; i++) {
      const k = this.key()
      if (this.buf[this.off] === SAME) {
        this.off++
        setKey(o, k, orig?.[k])
      } else setKey(o, k, this.value())
    }
    return o
  }
  private patch(orig: Body, undefinedIn: ReadonlySet<Body> | undefined): Body {
    this.off++
    const n = this.u32()
    let sets: [string, unknown][] | undefined
    let dels: Set<string> | undefined
    for (let i = 0; i < n; i++) {
      const k = this.key()
      if (this.buf[this.off] === DELETE) {
        this.off++
        ;(dels ??= new Set()).add(k)
      } else (sets ??= []).push([k, this.value()])
    }
    let o: Body
    if (dels === undefined && !undefinedIn?.has(orig)) o = { ...orig }
    else {
      // rebuilt rather than `delete`d: a deleted key would leave V8 a slow dictionary object
      o = {}
      for (const k in orig) {
        const v = orig[k]
        if (v !== undefined && !dels?.has(k)) setKey(o, k, v)
      }
    }
    if (sets !== undefined) for (const [k, v] of sets) setKey(o, k, v)
    return o
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.off)
    this.off += 4
    return v
  }
  i64(): number {
    const v = Number(this.buf.readBigInt64LE(this.off))
    this.off += 8
    return v
  }
  str(): string {
    const n = this.u32()
    const s = this.buf.toString('utf8', this.off, this.off + n)
    this.off += n
    return s
  }
  value(): unknown {
    const t = this.buf[this.off++]
    switch (t) {
      case S:
        return this.str()
      case I: {
        const v = this.buf.readInt32LE(this.off)
        this.off += 4
        return v
      }
      case J:
        return this.i64()
      case NUM: {
        const v = this.buf.readDoubleLE(this.off)
        this.off += 8
        return v
      }
      case T:
        return true
      case F:
        return false
      case N:
        return null
      case M: {
        const n = this.u32()
        const o: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) {
          const k = this.key()
          setKey(o, k, this.value())
        }
        return o
      }
      case A: {
        const n = this.u32()
        const a: unknown[] = new Array(n)
        for (let i = 0; i < n; i++) a[i] = this.value()
        return a
      }
      default:
        throw new Error(`cannot decode Lua result: unknown value tag ${t} at byte ${this.off - 1}`)
    }
  }
}

export type Outcome =
  | { kind: 'keep' }
  | { kind: 'drop' }
  | { kind: 'error'; message: string }
  | { kind: 'records'; time?: { sec: number; nsec: number }; bodies: Body[] }

/** Decodes the per-record outcomes of a batch (`events`: the batch sent, for unchanged values). */
export function decodeOutcomes(
  buf: Buffer,
  events: readonly LogEvent[],
  keys: readonly string[] = [],
  undefinedIn?: ReadonlySet<Body>,
): Outcome[] {
  const count = events.length
  const r = new Reader(buf, keys)
  const out: Outcome[] = []
  for (let i = 0; i < count; i++) {
    const t = buf[r.off++]
    if (t === 0x4b /* K */) out.push({ kind: 'keep' })
    else if (t === 0x44 /* D */) out.push({ kind: 'drop' })
    else if (t === 0x45 /* E */) out.push({ kind: 'error', message: r.str() })
    else if (t === 0x31 /* 1 */ || t === 0x32 /* 2 */) {
      const time = t === 0x31 ? { sec: r.i64(), nsec: r.i64() } : undefined
      const n = r.u32()
      const bodies: Body[] = []
      for (let j = 0; j < n; j++) bodies.push(r.record(events[i]!.body, undefinedIn))
      out.push({ kind: 'records', time, bodies })
    } else throw new Error(`cannot decode Lua result: unknown outcome ${t} for record ${i}`)
  }
  if (r.off !== buf.length) throw new Error(`cannot decode Lua result: ${buf.length - r.off} trailing bytes`)
  return out
}

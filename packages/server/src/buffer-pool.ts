// Large scratch buffers reused across requests. A fresh multi-MB Buffer per request is a new
// allocation outside V8's heap each time: measured on `_bulk`, the body, column and WAL buffers of
// each request (≈4 MB) made V8 run extra major collections for the external memory alone.

export interface BufferPoolLimits {
  /** Buffers kept at most. */
  readonly buffers: number
  /** A buffer larger than this is not kept (a rare huge request does not pin its memory). */
  readonly bufferBytes: number
  /** Bytes kept at most in all. */
  readonly totalBytes: number
}

export class BufferPool {
  private readonly free: Buffer[] = []
  private bytes = 0
  readonly limits: BufferPoolLimits

  constructor(limits: BufferPoolLimits) {
    this.limits = limits
  }

  /** A buffer of at least `size` bytes (contents undefined): a kept one, or a new one rounded up to 64 KiB. */
  take(size: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!
      if (b.length >= size) {
        this.free.splice(i, 1)
        this.bytes -= b.length
        return b
      }
    }
    // rounded up, so that one buffer serves the next requests of about the same size
    return Buffer.allocUnsafe(Math.ceil(Math.max(size, 1) / 65536) * 65536)
  }

  /** Gives `buf` back; call only once nothing refers to its bytes any more. Kept while within the limits. */
  give(buf: Buffer): void {
    const l = this.limits
    if (this.free.length >= l.buffers || buf.length > l.bufferBytes || this.bytes + buf.length > l.totalBytes) return
    this.free.push(buf)
    this.bytes += buf.length
  }

  /** Bytes kept now (tests). */
  keptBytes(): number {
    return this.bytes
  }
}

// In-order commit of file offsets on delivery (the checkpoint advances only on delivery, as Vector's
// file source does with BatchStatus::Delivered). Each emitted batch ends at a file offset; its
// acknowledgement may arrive in any order, but the offset is committed only when that batch and
// every earlier batch of the same file have been acknowledged. Bytes skipped without a batch (long
// lines, empty lines) enter as already-done marks so the commit point moves past them too.

export class CommitTracker {
  /** Offsets of batches not yet committable, in emission order, with their done flag. */
  private readonly ends: number[] = []
  private readonly done: boolean[] = []
  private head = 0
  /** How many entries were compacted away from the front. */
  private shift = 0
  private committedOffset: number
  private readonly onCommit: (offset: number) => void

  constructor(committed: number, onCommit: (offset: number) => void) {
    this.committedOffset = committed
    this.onCommit = onCommit
  }

  get committed(): number {
    return this.committedOffset
  }

  /** Batches emitted whose acknowledgement has not arrived. */
  get pending(): number {
    let n = 0
    for (let i = this.head; i < this.done.length; i++) if (!this.done[i]) n++
    return n
  }

  /** Registers a batch ending at `end`; returns the function to call when it is acknowledged. */
  track(end: number): () => void {
    // Absolute slot number: the arrays are compacted from the front as batches commit.
    const slot = this.shift + this.ends.length
    this.ends.push(end)
    this.done.push(false)
    let called = false
    return () => {
      if (called) return
      called = true
      this.done[slot - this.shift] = true
      this.advance()
    }
  }

  /** Marks bytes up to `end` as finished without a batch (skipped lines). */
  skip(end: number): void {
    this.ends.push(end)
    this.done.push(true)
    this.advance()
  }

  private advance(): void {
    let to = -1
    while (this.head < this.done.length && this.done[this.head]) {
      to = this.ends[this.head]!
      this.head++
    }
    if (this.head > 1024 && this.head * 2 > this.done.length) {
      this.ends.splice(0, this.head)
      this.done.splice(0, this.head)
      this.shift += this.head
      this.head = 0
    }
    if (to >= 0 && to !== this.committedOffset) {
      this.committedOffset = to
      this.onCommit(to)
    }
  }
}

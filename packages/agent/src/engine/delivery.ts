// The delivery tracker of one emitted batch: the `Ack` that filters and output queues retain while
// they hold records of the batch, and release when done. When the last holder lets go, the input's
// AckCallback runs exactly once with what became of the records (delivered / rejected for good),
// and the input's Mem_Buf_Limit accounting gets the batch's bytes back.
//
// The emit call itself holds the first reference, so a batch that nothing retained (no output
// matched, or a filter dropped everything) completes as soon as routing returns.

import type { Ack, AckCallback } from '../plugin.ts'

/** Told when a batch is done, to give its bytes back to the input's buffer accounting. */
export interface DeliveryOwner {
  delivered(d: Delivery): void
  /** A plugin bug (release without retain, or an ack callback that threw): log it. */
  fault(message: string): void
}

export class Delivery implements Ack {
  /** Records emitted in the batch. */
  readonly total: number
  /** Estimated bytes of the batch (Mem_Buf_Limit accounting). */
  readonly bytes: number
  /** Average estimated bytes per record, to attribute bytes to subsets without re-measuring. */
  readonly recordBytes: number
  readonly owner: DeliveryOwner | undefined
  private refs = 1
  private rejectedCount = 0
  private readonly callback: AckCallback | undefined

  constructor(total: number, bytes: number, owner?: DeliveryOwner, callback?: AckCallback) {
    this.total = total
    this.bytes = bytes
    this.recordBytes = total > 0 ? bytes / total : 0
    this.owner = owner
    this.callback = callback
  }

  get done(): boolean {
    return this.refs <= 0
  }

  retain(): void {
    if (this.refs <= 0) {
      this.owner?.fault('ack retained after its batch was already complete; the retain is ignored')
      return
    }
    this.refs++
  }

  release(rejected = 0): void {
    if (this.refs <= 0) {
      this.owner?.fault('ack released more times than it was retained; the extra release is ignored')
      return
    }
    if (rejected > 0) this.rejectedCount += rejected
    if (--this.refs > 0) return
    const rejectedFinal = Math.min(this.total, this.rejectedCount)
    try {
      this.callback?.({ delivered: this.total - rejectedFinal, rejected: rejectedFinal })
    } catch (err) {
      this.owner?.fault(`ack callback failed: ${(err as Error)?.message ?? String(err)}`)
    }
    this.owner?.delivered(this)
  }
}

// A file's identity is its inode plus a fingerprint of its first bytes. Inodes are reused once a
// file is deleted (kubelet rotates container logs constantly), so an inode alone can resume a new
// file at an old file's offset; the fingerprint tells them apart, and also reveals a file that was
// truncated and rewritten past the old offset between two checks.

import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'

/** How many leading bytes the fingerprint covers once the file is that long. */
export const FINGERPRINT_BYTES = 256

export interface Fingerprint {
  /** Bytes covered (less than FINGERPRINT_BYTES while the file is shorter). */
  readonly len: number
  readonly hash: string
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 16)
}

/** Fingerprint of the first `min(size, FINGERPRINT_BYTES)` bytes, or of exactly `len` bytes when given. */
export async function fingerprint(fh: FileHandle, size: number, len?: number): Promise<Fingerprint> {
  const want = Math.min(len ?? FINGERPRINT_BYTES, FINGERPRINT_BYTES, size)
  // Per call: reads of several files (and tail instances) interleave at each await.
  const scratch = Buffer.allocUnsafe(Math.max(0, want))
  let got = 0
  while (got < want) {
    const { bytesRead } = await fh.read(scratch, got, want - got, got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return { len: got, hash: hashBytes(scratch.subarray(0, got)) }
}

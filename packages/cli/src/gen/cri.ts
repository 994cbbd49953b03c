// CRI log lines as containerd/CRI-O write them (kubelet CRI logging format):
//   <RFC3339Nano time> <stdout|stderr> <P|F> <content>
// Lines longer than the runtime's buffer (16 KiB in containerd) are split into `P` (partial) chunks
// and a final `F` chunk.

export const CRI_SPLIT_BYTES = 16 * 1024

/** RFC 3339 with nanoseconds, UTC (`2026-11-22T07:30:00.123456789Z`). */
export function criTime(ms: number, nsExtra: number): string {
  const iso = new Date(ms).toISOString() // 2026-11-22T07:30:00.123Z
  return `${iso.slice(0, 23)}${String(nsExtra).padStart(6, '0')}Z`
}

/** The CRI lines (each ending in \n) for one logical line of output. */
export function criLines(
  time: string,
  stream: 'stdout' | 'stderr',
  content: string,
  splitAt = CRI_SPLIT_BYTES,
): string {
  if (content.length <= splitAt) return `${time} ${stream} F ${content}\n`
  let out = ''
  for (let i = 0; i < content.length; i += splitAt) {
    const last = i + splitAt >= content.length
    out += `${time} ${stream} ${last ? 'F' : 'P'} ${content.slice(i, i + splitAt)}\n`
  }
  return out
}

// `sluice check`: not built yet (see the open issues).
export const summary = 'Check a config like fluent-bit --dry-run, and more; all errors at once'

export async function run(_args: string[]): Promise<number> {
  console.error('sluice check: not implemented yet')
  return 2
}
